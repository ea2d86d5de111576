#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "common/output_file.h"
#include "sinks/chrome_trace_writer.h"

namespace ahtrace::cli {

Runner SetupExport(CLI::App* sub) {
  struct Options {
    std::string trace;
    std::string output = "-";
    bool no_findings = false;
  };
  auto opts = std::make_shared<Options>();
  sub->add_option("trace", opts->trace, "Trace directory, stream file, NDJSON file or node trace-event log(s)")
      ->required();
  sub->add_option("-o,--output", opts->output, "Chrome trace-event JSON to write, - for stdout")
      ->capture_default_str();
  sub->add_flag("--no-findings", opts->no_findings, "Do not run check (one pass over the trace instead of two)");
  sub->footer("Open the output in https://ui.perfetto.dev (Open trace file) or chrome://tracing.");
  return [opts]() {
    Status status = CheckOutputSparesInput(opts->output, opts->trace);
    if (!status.ok()) return Fail(status);
    ProgressMeter progress("export");
    ChromeTraceOptions options;
    options.findings = !opts->no_findings;
    options.progress = &progress;
    ChromeTraceSummary summary;
    status = ExportChromeTrace(opts->trace, opts->output, options, &summary);
    progress.Clear();
    if (!status.ok()) return Fail(status);
    if (opts->output != "-")
      std::fprintf(stderr, "ahtrace: exported %llu events from %zu stream(s) to %s: %llu callback(s), %llu flow(s), %llu finding(s)\n",
                   static_cast<unsigned long long>(summary.events), summary.streams, opts->output.c_str(),
                   static_cast<unsigned long long>(summary.callbacks), static_cast<unsigned long long>(summary.flows),
                   static_cast<unsigned long long>(summary.findings));
    return 0;
  };
}

}  // namespace ahtrace::cli
