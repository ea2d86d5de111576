#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "check/check.h"
#include "common/output_file.h"
#include "cli/commands.h"

namespace ahtrace::cli {
namespace {

// --allow FILE: one fingerprint per line ('#' starts a comment), or the
// JSON that `check --format json` writes (its findings' fingerprints).
Status ReadAllowFile(const std::string& path, std::set<std::string>* out) {
  std::ifstream in(path);
  if (!in) return UsageError(path + ": cannot read the --allow file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_object() && j.contains("findings") && j["findings"].is_array()) {
    for (const auto& f : j["findings"])
      if (f.is_object() && f.contains("fingerprint") && f["fingerprint"].is_string())
        out->insert(f["fingerprint"].get<std::string>());
    return Status::Ok();
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = line.substr(0, line.find('#'));
    size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b != std::string::npos) out->insert(line.substr(b, e - b + 1));
  }
  return Status::Ok();
}

// A checked-in config (.ahtrace.json): {"expectStore": ["src/handlers/"],
// "allow": ["<fingerprint>"], "leaks": true}.
Status ReadConfig(const std::string& path, check::CheckOptions* o) {
  std::ifstream in(path);
  if (!in) return UsageError(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return UsageError(path + ": not a JSON object");
  auto strings = [&](const char* key, auto&& add) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_array()) return UsageError(path + ": \"" + key + "\" must be an array of strings");
    for (const auto& v : j[key]) {
      if (!v.is_string()) return UsageError(path + ": \"" + key + "\" must be an array of strings");
      add(v.get<std::string>());
    }
    return Status::Ok();
  };
  Status st = strings("expectStore", [&](std::string s) { o->expect_store.push_back(std::move(s)); });
  if (!st.ok()) return st;
  st = strings("allow", [&](std::string s) { o->allow.insert(std::move(s)); });
  if (!st.ok()) return st;
  for (const char* key : {"leaks", "hookRules", "mismatches", "context"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_boolean()) return UsageError(path + ": \"" + key + "\" must be true or false");
    bool v = j[key].get<bool>();
    if (std::string(key) == "leaks") o->leaks = v;
    if (std::string(key) == "hookRules") o->hook_rules = v;
    if (std::string(key) == "mismatches") o->mismatches = v;
    if (std::string(key) == "context") o->context = v;
  }
  return Status::Ok();
}

}  // namespace

Runner SetupCheck(CLI::App* sub) {
  struct Options {
    std::string trace, baseline, output = "-", format = "text", config, allow_file;
    std::vector<std::string> expect_store;
    bool leaks = false, no_context = false, no_hook_rules = false, no_mismatches = false;
  };
  auto o = std::make_shared<Options>();
  sub->add_option("trace", o->trace, "Trace to check (directory, stream file or NDJSON)")->required();
  sub->add_option("--baseline", o->baseline, "Baseline trace: report only what is new, and use its stores as evidence");
  sub->add_option("--format", o->format, "text, json, junit or sarif")
      ->check(CLI::IsMember({"text", "json", "junit", "sarif"}))
      ->capture_default_str();
  sub->add_option("-o,--output", o->output, "Write the report here (- = stdout)")->capture_default_str();
  sub->add_option("--expect-store", o->expect_store,
                  "Call sites that must see a store: substring of file:line of the getStore() call or its callers "
                  "(repeatable)");
  sub->add_option("--allow", o->allow_file, "Known findings to accept: fingerprints, one per line, or a check JSON report");
  sub->add_option("--config", o->config, "JSON config: {\"expectStore\": [...], \"allow\": [...], \"leaks\": true}");
  sub->add_flag("--leaks", o->leaks, "Also report handles alive at the end of the trace");
  sub->add_flag("--no-context", o->no_context, "Do not check for context loss");
  sub->add_flag("--no-hook-rules", o->no_hook_rules, "Do not report broken async_hooks rules");
  sub->add_flag("--no-mismatches", o->no_mismatches, "Do not report model/node disagreements");
  sub->footer("Exit codes: 0 clean, 1 findings, 2 usage error, 3 unreadable or invalid trace, 4 output not writable.");
  return [o]() {
    check::CheckOptions options;
    if (!o->config.empty()) {
      Status st = ReadConfig(o->config, &options);
      if (!st.ok()) return Fail(st);
    }
    options.leaks |= o->leaks;
    options.context &= !o->no_context;
    options.hook_rules &= !o->no_hook_rules;
    options.mismatches &= !o->no_mismatches;
    for (const auto& p : o->expect_store) options.expect_store.push_back(p);
    if (!o->allow_file.empty()) {
      Status st = ReadAllowFile(o->allow_file, &options.allow);
      if (!st.ok()) return Fail(st);
    }
    std::unique_ptr<check::Baseline> baseline;
    if (!o->baseline.empty()) {
      Status st;
      auto reader = OpenTrace(o->baseline, &st);
      if (!reader) return Fail(st);
      check::CheckReport base;
      st = check::RunCheck(*reader, options, nullptr, &base);
      if (!st.ok()) return Fail(st);
      baseline = std::make_unique<check::Baseline>(std::move(base.as_baseline));
    }
    Status st;
    auto reader = OpenTrace(o->trace, &st);
    if (!reader) return Fail(st);
    check::CheckReport report;
    st = check::RunCheck(*reader, options, baseline.get(), &report);
    if (!st.ok()) return Fail(st);

    std::string text;
    bool to_stdout = o->output == "-";
    if (o->format == "json")
      text = check::ReportJson(report).dump(2) + "\n";
    else if (o->format == "sarif")
      text = check::ReportSarif(report).dump(2) + "\n";
    else if (o->format == "junit")
      text = check::ReportJunit(report);
    else
      text = check::ReportText(report, to_stdout && isatty(1) && !std::getenv("NO_COLOR"));
    if (to_stdout) {
      std::fputs(text.c_str(), stdout);
    } else {
      std::string tmp = TemporaryPathFor(o->output);
      FILE* f = std::fopen(tmp.c_str(), "wb");
      bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
      if (f) ok = std::fclose(f) == 0 && ok;
      if (!ok) {
        std::remove(tmp.c_str());
        return Fail(OutputError(o->output + ": cannot write the report"));
      }
      Status renamed = RenameIntoPlace(tmp, o->output);
      if (!renamed.ok()) return Fail(renamed);
      std::fprintf(stderr, "%s: %zu finding(s)\n", o->output.c_str(), report.findings.size());
    }
    return report.findings.empty() ? 0 : 1;
  };
}

}  // namespace ahtrace::cli
