#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "common/output_file.h"
#include "report/html_report.h"

namespace ahtrace::cli {

Runner SetupReport(CLI::App* sub) {
  struct Options {
    std::string trace, output;
    bool leaks_in_verdict = false;
  };
  auto o = std::make_shared<Options>();
  sub->add_option("trace", o->trace, "Trace to report on (directory, stream file or NDJSON)")->required();
  sub->add_option("-o,--output", o->output, "The HTML file to write (one self-contained page)")->required();
  sub->add_flag("--leaks", o->leaks_in_verdict, "Count leaked handles as findings (they are always listed)");
  sub->footer(
      "Writes check's verdict as one HTML page: findings with source, chain and a picture of it, a timeline of "
      "callbacks by store, leaked handles. Exit codes: 0 written (whatever the verdict; `check --format html` "
      "exits as check does), 2 usage error, 3 unreadable or invalid trace, 4 output not writable.");
  return [o]() {
    if (Status spared = CheckOutputSparesInput(o->output, o->trace); !spared.ok()) return Fail(spared);
    check::CheckOptions options;
    options.leaks = o->leaks_in_verdict;
    report::HtmlReportOptions page;
    page.trace_name = o->trace;
    check::CheckReport verdict;
    std::string html;
    Status st = report::CheckToHtml(o->trace, options, nullptr, page, &verdict, &html);
    if (st.ok()) st = WriteOutputFile(o->output, html);
    if (!st.ok()) return Fail(st);
    std::fprintf(stderr, "%s: %zu finding(s)\n", o->output.c_str(), verdict.findings.size());
    return 0;
  };
}

}  // namespace ahtrace::cli
