#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "check/check.h"
#include "check/config.h"
#include "common/output_file.h"
#include "cli/commands.h"
#include "report/html_report.h"

namespace ahtrace::cli {

Runner SetupCheck(CLI::App* sub) {
  struct Options {
    std::string trace, baseline, output = "-", format = "text", config, allow_file, source_root;
    std::vector<std::string> expect_store;
    bool leaks = false, no_context = false, no_hook_rules = false, no_mismatches = false;
  };
  auto o = std::make_shared<Options>();
  sub->add_option("trace", o->trace, "Trace to check (directory, stream file or NDJSON)")->required();
  sub->add_option("--baseline", o->baseline, "Baseline trace: report only what is new, and use its stores as evidence");
  sub->add_option("--format", o->format, "text, json, junit, sarif or html (the page `ahtrace report` writes)")
      ->check(CLI::IsMember({"text", "json", "junit", "sarif", "html"}))
      ->capture_default_str();
  sub->add_option("-o,--output", o->output, "Write the report here (- = stdout)")->capture_default_str();
  sub->add_option("--expect-store", o->expect_store,
                  "Call sites that must see a store: substring of file:line of the getStore() call or its callers "
                  "(repeatable)");
  sub->add_option("--allow", o->allow_file, "Known findings to accept: fingerprints, one per line, or a check JSON report");
  sub->add_option("--config", o->config, "JSON config: {\"expectStore\": [...], \"allow\": [...], \"leaks\": true}");
  sub->add_option("--source-root", o->source_root,
                  "Read the program's sources from this checkout instead of the copies in the trace (paths under "
                  "the recording's working directory map to the same relative paths here)")
      ->check(CLI::ExistingDirectory);
  sub->add_flag("--leaks", o->leaks, "Also report handles alive at the end of the trace");
  sub->add_flag("--no-context", o->no_context, "Do not check for context loss");
  sub->add_flag("--no-hook-rules", o->no_hook_rules, "Do not report broken async_hooks rules");
  sub->add_flag("--no-mismatches", o->no_mismatches, "Do not report model/node disagreements");
  sub->footer(
      "Exit codes: 0 clean, 1 findings (including an incomplete trace), 2 usage error, 3 unreadable or invalid "
      "trace, 4 output not writable, 6 nothing to judge (no events, or no getStore() call).");
  return [o]() {
    for (const std::string* input : {&o->trace, &o->baseline, &o->config, &o->allow_file})
      if (Status spared = CheckOutputSparesInput(o->output, *input); !spared.ok()) return Fail(spared);
    check::CheckOptions options;
    if (!o->config.empty()) {
      Status st = check::LoadConfig(o->config, &options);
      if (!st.ok()) return Fail(st);
    }
    options.leaks |= o->leaks;
    options.context &= !o->no_context;
    options.hook_rules &= !o->no_hook_rules;
    options.mismatches &= !o->no_mismatches;
    for (const auto& p : o->expect_store) options.expect_store.push_back(p);
    if (!o->source_root.empty()) {
      std::error_code ec;
      auto absolute = std::filesystem::weakly_canonical(o->source_root, ec);
      options.source_root = ec ? o->source_root : absolute.string();
    }
    if (!o->allow_file.empty()) {
      Status st = check::LoadAllowList(o->allow_file, &options.allow);
      if (!st.ok()) return Fail(st);
    }
    ProgressMeter progress("check");
    std::unique_ptr<check::Baseline> baseline;
    if (!o->baseline.empty()) {
      Status st;
      auto reader = OpenTrace(o->baseline, &st);
      if (!reader) return Fail(st);
      progress.SetPhase("baseline");
      reader->set_progress(&progress);
      check::CheckReport base;
      st = check::RunCheck(*reader, options, nullptr, &base);
      if (!st.ok()) return Fail(st);
      baseline = std::make_unique<check::Baseline>(std::move(base.as_baseline));
    }
    Status st;
    check::CheckReport report;
    std::string text;
    if (o->format == "html") {
      report::HtmlReportOptions page;
      page.trace_name = o->trace;
      st = report::CheckToHtml(o->trace, options, baseline.get(), page, &report, &text);
    } else {
      auto reader = OpenTrace(o->trace, &st);
      if (reader) {
        if (baseline) progress.SetPhase("trace");
        reader->set_progress(&progress);
        st = check::RunCheck(*reader, options, baseline.get(), &report);
      }
    }
    if (!st.ok()) return Fail(st);

    bool to_stdout = o->output == "-";
    if (o->format == "json")
      text = check::ReportJson(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    else if (o->format == "sarif")
      text = check::ReportSarif(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    else if (o->format == "junit")
      text = check::ReportJunit(report);
    else if (o->format == "text")  // (html was rendered with the check above)
      text = check::ReportText(report, to_stdout && isatty(1) && !std::getenv("NO_COLOR"));
    if (to_stdout) {
      std::fwrite(text.data(), 1, text.size(), stdout);  // all of it, whatever bytes it holds
    } else {
      Status written = WriteOutputFile(o->output, text);
      if (!written.ok()) return Fail(written);
      std::fprintf(stderr, "%s: %zu finding(s)\n", o->output.c_str(), report.findings.size());
    }
    if (!report.findings.empty()) return 1;
    return report.cannot_judge.empty() ? 0 : check::kExitCannotJudge;
  };
}

}  // namespace ahtrace::cli
