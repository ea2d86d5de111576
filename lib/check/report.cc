// The four ways `ahtrace check` reports: text for people, JSON for scripts,
// JUnit for CI dashboards, SARIF for code-scanning UIs. (The fifth, the
// HTML page, is lib/report: it draws pictures from a replay of its own.)
#include <map>
#include <set>

#include "check/check.h"
#include "common/html.h"
#include "common/utf8.h"

namespace ahtrace::check {
namespace {

std::string XmlEscape(const std::string& raw) { return EscapeMarkup(XmlSafe(raw)); }

}  // namespace

std::string SummaryLine(const CheckReport& r) {
  std::map<std::string, int> by_rule;
  for (const auto& f : r.findings) ++by_rule[f.rule];
  if (r.findings.empty() && !r.cannot_judge.empty())
    return "ahtrace check: not judged (" + r.cannot_judge + "); " + std::to_string(r.events) + " events";
  std::string s = "ahtrace check: " + std::to_string(r.findings.size()) + " finding(s)";
  if (!by_rule.empty()) {
    s += " (";
    bool first = true;
    for (const auto& [rule, n] : by_rule) {
      s += (first ? "" : ", ") + std::to_string(n) + " " + rule;
      first = false;
    }
    s += ")";
  }
  s += " in " + std::to_string(r.reads) + " getStore() call(s), " + std::to_string(r.events) + " events";
  if (r.allowed) s += "; " + std::to_string(r.allowed) + " allowed";
  if (r.in_baseline) s += "; " + std::to_string(r.in_baseline) + " also in the baseline";
  return s;
}

namespace {

const char* kRuleHelp[][2] = {
    {"context-lost", "An AsyncLocalStorage store was lost: getStore() returned undefined where the code expected a store."},
    {"listener-context", "An EventEmitter listener registered under one store ran in another context."},
    {"enter-with-after-await", "enterWith() after an await did not reach the caller."},
    {"enter-with-leak", "enterWith() on a resource that runs again leaked the store into its later callbacks."},
    {"store-after-disable", "getStore() returned a store after disable(), before any run() or enterWith(): on "
                            "AsyncContextFrame, disable() only clears the context where it is called."},
    {"leak", "A handle was still alive at the end of the trace."},
    {"async-hooks-rule", "The trace breaks one of node's async_hooks rules."},
    {"model-mismatch", "ahtrace's model of node disagrees with what node reported."},
    {"incomplete-trace", "Part of the program was not recorded (a recorder that failed to start, an empty stream, a "
                         "stream cut short), so no verdict can be drawn from the trace."},
};

}  // namespace

std::string ReportText(const CheckReport& r, bool color) {
  auto paint = [&](const char* code, const std::string& s) {
    return color ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  };
  std::string out;
  for (const auto& f : r.findings) {
    // Findings about events rather than code (model/node disagreements)
    // are located by process, thread and event.
    std::string where = !f.where.empty() ? f.where.ToString()
                                         : "pid " + std::to_string(f.pid) + " thread " + std::to_string(f.thread) +
                                               " event " + std::to_string(f.seq);
    // Every string here may come from the trace: escaped so that it can
    // neither drive the terminal nor forge report lines.
    out += paint(f.level == "error" ? "1;31" : "1;33", f.level + "[" + f.rule + "]") + " " +
           paint("1", TerminalSafe(where)) + ": " + TerminalSafe(f.title) + "\n";
    if (!f.storage.empty()) out += "  storage: " + TerminalSafe(f.storage) + "\n";
    for (const auto& d : f.details) out += "  " + TerminalSafe(d) + "\n";
    if (!f.chain.empty()) {
      out += "  chain:   ";
      for (size_t i = 0; i < f.chain.size(); ++i) out += (i ? " <- " : "") + TerminalSafe(f.chain[i]);
      out += "\n";
    }
    if (!f.hint.empty()) out += "  " + paint("36", "fix:") + "     " + TerminalSafe(f.hint) + "\n";
    out += "  pid " + std::to_string(f.pid) + " thread " + std::to_string(f.thread) +
           (f.rule == "leak" ? std::string() : ", event " + std::to_string(f.seq)) + (f.occurrences > 1 ? ", seen " + std::to_string(f.occurrences) + " times" : "") +
           ", fingerprint " + f.fingerprint + "\n\n";
  }
  for (const auto& n : r.notes) out += "note: " + TerminalSafe(n) + "\n";
  if (!r.cannot_judge.empty()) out += paint("1;33", "cannot judge:") + " " + TerminalSafe(r.cannot_judge) + "\n";
  out += paint(r.findings.empty() ? "32" : "1", TerminalSafe(SummaryLine(r))) + "\n";
  return out;
}

nlohmann::json ReportJson(const CheckReport& r) {
  using json = nlohmann::json;
  json findings = json::array();
  auto loc = [](const Location& l) -> json {
    if (l.empty()) return nullptr;
    return {{"file", l.file}, {"line", l.line}, {"column", l.column}};
  };
  for (const auto& f : r.findings) {
    findings.push_back({{"rule", f.rule},
                        {"level", f.level},
                        {"title", f.title},
                        {"location", loc(f.where)},
                        {"breakLocation", loc(f.break_site)},
                        {"storage", f.storage},
                        {"chain", f.chain},
                        {"details", f.details},
                        {"hint", f.hint},
                        {"fingerprint", f.fingerprint},
                        {"pid", f.pid},
                        {"thread", f.thread},
                        {"seq", f.seq},
                        {"occurrences", f.occurrences}});
  }
  return {{"version", 1},
          {"findings", findings},
          {"notes", r.notes},
          {"verdict", !r.cannot_judge.empty() && r.findings.empty() ? "cannot-judge"
                      : r.findings.empty()                           ? "clean"
                                                                     : "findings"},
          {"cannotJudge", r.cannot_judge.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.cannot_judge)},
          {"summary",
           {{"findings", r.findings.size()},
            {"allowed", r.allowed},
            {"inBaseline", r.in_baseline},
            {"getStoreCalls", r.reads},
            {"getStoreUndefined", r.reads_undefined},
            {"events", r.events}}}};
}

std::string ReportJunit(const CheckReport& r) {
  // One test case per rule and call site: every getStore() site checked for
  // context loss, plus every site another rule reported.
  std::map<std::pair<std::string, std::string>, std::vector<const CheckFinding*>> cases;
  for (const auto& [family, site] : r.checked_sites) cases[{"context-lost", site}];
  for (const auto& f : r.findings) {
    std::string rule = f.rule == "listener-context" || f.rule == "enter-with-after-await" || f.rule == "enter-with-leak"
                           ? "context-lost"
                           : f.rule;
    cases[{rule, f.where.empty() ? f.title : f.where.ToString()}].push_back(&f);
  }
  size_t failures = 0;
  for (const auto& [key, fs] : cases) failures += !fs.empty();
  // Nothing to judge is an error case, so a dashboard never shows it green.
  bool blind = !r.cannot_judge.empty() && r.findings.empty();
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ahtrace check\" tests=\"" +
                    std::to_string(cases.size() + blind) + "\" failures=\"" + std::to_string(failures) + "\"" +
                    (blind ? " errors=\"1\"" : "") + ">\n";
  if (blind) {
    out += "  <testsuite name=\"cannot-judge\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
           "    <testcase classname=\"ahtrace.cannot-judge\" name=\"trace\">\n      <error message=\"" +
           XmlEscape(r.cannot_judge) + "\" type=\"cannot-judge\"/>\n    </testcase>\n  </testsuite>\n";
  }
  std::map<std::string, std::vector<std::pair<std::string, const std::vector<const CheckFinding*>*>>> suites;
  for (const auto& [key, fs] : cases) suites[key.first].push_back({key.second, &fs});
  for (const auto& [rule, tests] : suites) {
    size_t suite_failures = 0;
    for (const auto& t : tests) suite_failures += !t.second->empty();
    out += "  <testsuite name=\"" + XmlEscape(rule) + "\" tests=\"" + std::to_string(tests.size()) +
           "\" failures=\"" + std::to_string(suite_failures) + "\">\n";
    for (const auto& [site, fs] : tests) {
      out += "    <testcase classname=\"ahtrace." + XmlEscape(rule) + "\" name=\"" + XmlEscape(site) + "\"";
      if (fs->empty()) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      for (const CheckFinding* f : *fs) {
        std::string body;
        for (const auto& d : f->details) body += d + "\n";
        if (!f->chain.empty()) {
          body += "chain: ";
          for (size_t i = 0; i < f->chain.size(); ++i) body += (i ? " <- " : "") + f->chain[i];
          body += "\n";
        }
        body += "fix: " + f->hint + "\nfingerprint: " + f->fingerprint + "\n";
        out += "      <failure message=\"" + XmlEscape(f->title) + "\" type=\"" + XmlEscape(f->rule) + "\">" +
               XmlEscape(body) + "</failure>\n";
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

nlohmann::json ReportSarif(const CheckReport& r) {
  using json = nlohmann::json;
  json rules = json::array();
  for (const auto& rh : kRuleHelp)
    rules.push_back({{"id", rh[0]}, {"shortDescription", {{"text", rh[1]}}}});
  // Relative paths (under the recording's working directory) resolve
  // against %SRCROOT%, the checkout; others are absolute file URIs.
  auto physical = [](const Location& l) -> json {
    json artifact;
    if (!l.file.empty() && l.file[0] == '/') {
      artifact = {{"uri", "file://" + l.file}};
    } else {
      artifact = {{"uri", l.file}, {"uriBaseId", "%SRCROOT%"}};
    }
    return {{"physicalLocation",
             {{"artifactLocation", artifact},
              {"region", {{"startLine", std::max(l.line, 1)}, {"startColumn", std::max(l.column, 1)}}}}}};
  };
  json results = json::array();
  for (const auto& f : r.findings) {
    std::string text = f.title + ".";
    for (const auto& d : f.details) text += " " + d + ".";
    if (!f.hint.empty()) text += " Fix: " + f.hint;
    json result = {{"ruleId", f.rule},
                   {"level", f.level == "error" ? "error" : "warning"},
                   {"message", {{"text", text}}},
                   {"partialFingerprints", {{"ahtrace/v1", f.fingerprint}}}};
    if (!f.where.empty()) result["locations"] = json::array({physical(f.where)});
    if (!f.break_site.empty()) {
      json related = physical(f.break_site);
      related["id"] = 1;
      related["message"] = {{"text", "where the store disappeared"}};
      result["relatedLocations"] = json::array({related});
    }
    results.push_back(result);
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool",
                                  {{"driver",
                                    {{"name", "ahtrace"},
                                     {"version", AHTRACE_VERSION},
                                     {"informationUri", "https://nodejs.org/api/async_context.html"},
                                     {"rules", rules}}}}},
                                 {"results", results}}})}};
}

}  // namespace ahtrace::check
