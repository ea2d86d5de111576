#include "report/html_report.h"

#include <map>
#include <set>

#include "common/html.h"
#include "graph/graph.h"
#include "model/replay.h"

namespace ahtrace::report {
namespace {

// `s` cut to at most `max_bytes` (at a character boundary), with "..."
// when cut: a minified bundle's one line must not become a megabyte of page.
std::string Clip(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

std::string Base64(std::string_view bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

std::string Style() {
  return std::string(R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:0 16px 40px}
code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
.verdict{color:#fff;padding:18px 24px;margin:0 0 18px}
.verdict h1{margin:0 0 4px;font-size:26px}
.verdict p{margin:2px 0}
.verdict ul{margin:6px 0 0;padding-left:20px}
.verdict.findings{background:)css") +
         kVerdictFindingsColour + R"css(}
.verdict.clean{background:)css" +
         kVerdictCleanColour + R"css(}
.verdict.cannot-judge{background:)css" +
         kVerdictCannotJudgeColour + R"css(}
.rules span{display:inline-block;background:rgba(255,255,255,.22);border-radius:10px;padding:0 9px;margin:4px 6px 0 0}
h2{font-size:19px;margin:26px 0 10px}
details.finding{background:#fff;border:1px solid #ddd;border-left:10px solid )css" +
         kFindingStripeColour + R"css(;border-radius:4px;margin:0 0 14px;padding:8px 14px}
details.finding>summary{cursor:pointer;font-weight:600;overflow-wrap:anywhere}
.level{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;margin-right:6px}
.level.error{background:#c62828}.level.warning{background:#b26a00}.level.info{background:#546e7a}
.rule{font-weight:400;color:#444}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0}
dl.facts dt{color:#666}dl.facts dd{margin:0;overflow-wrap:anywhere}
table.source{border-collapse:collapse;background:#f6f6f6;width:100%;margin:8px 0;table-layout:fixed}
table.source td{padding:0 8px;white-space:pre;overflow:hidden;text-overflow:ellipsis;vertical-align:top}
table.source td.n{width:48px;text-align:right;color:#888;user-select:none}
table.source tr.focus td{background:#ffe9a8}
figure.chain{margin:10px 0;display:inline-block;border:6px solid )css" +
         kChainFrameColour + R"css(;background:#fff;padding:4px;max-width:100%;box-sizing:border-box}
figure.chain img{display:block;max-width:100%;max-height:360px;width:auto;height:auto}
figure.chain figcaption{font-size:12px;color:#555;padding-top:4px;overflow-wrap:anywhere}
ol.chain{margin:4px 0;padding-left:22px;overflow-wrap:anywhere}
ul.details{margin:6px 0;padding-left:20px;overflow-wrap:anywhere}
p.fix{background:#e8f5e9;border-radius:3px;padding:6px 10px;overflow-wrap:anywhere}
p.meta,.dim{color:#777;font-size:12px}
.more{color:#555;font-style:italic}
.timeline-frame{border:6px solid )css" +
         kTimelineFrameColour + R"css(;background:#fff;box-sizing:border-box}
svg.timeline{display:block;width:100%;height:auto;font-size:11px;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
svg.timeline .row-bg{fill:#f1f1f1}svg.timeline .axis{fill:#555}
ul.legend{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:4px 16px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px;border:1px solid #999}
section.leaks{border-left:10px solid )css" +
         kLeaksStripeColour + R"css(;padding-left:12px}
table.leaks{border-collapse:collapse;background:#fff;width:100%}
table.leaks th,table.leaks td{border-bottom:1px solid #e3e3e3;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
footer{color:#777;font-size:12px;margin-top:30px}
.tools button{margin:0 6px 10px 0}
)css";
}

// Progressive enhancement only: the page reads the same without it.
const char kScript[] = R"js(
(function () {
  var findings = document.querySelectorAll('details.finding');
  var bar = document.getElementById('finding-tools');
  if (!bar || findings.length < 1) return;
  function all(open) { for (var i = 0; i < findings.length; i++) findings[i].open = open; }
  var expand = document.createElement('button');
  expand.id = 'expand-all';
  expand.textContent = 'Expand all';
  expand.onclick = function () { all(true); };
  var collapse = document.createElement('button');
  collapse.id = 'collapse-all';
  collapse.textContent = 'Collapse all';
  collapse.onclick = function () { all(false); };
  bar.appendChild(expand);
  bar.appendChild(collapse);
})();
)js";

std::string E(std::string_view s) { return HtmlEscape(s); }

std::string WhereText(const check::CheckFinding& f) {
  return !f.where.empty() ? f.where.ToString()
                          : "pid " + std::to_string(f.pid) + " thread " + std::to_string(f.thread) + " event " +
                                std::to_string(f.seq);
}

class Page {
 public:
  Page(const TraceReader& reader, const HtmlReportOptions& options, graph::GraphCollector& graph)
      : reader_(reader), options_(options), graph_(graph) {
    for (uint32_t i = 0; i < reader.streams().size(); ++i) stores_.push_back(reader.stores(i));
  }

  // Indexes what the chain pictures need, in one pass over the graph.
  void PrepareChains(const std::vector<const check::CheckFinding*>& pictured) {
    std::set<uint64_t> parents[2];
    for (const auto* f : pictured) {
      graph::GraphKind kind = KindFor(*f);
      for (uint64_t key : graph::ChainsOf(graph_, kind, Centres(*f), kLevelsUp))
        parents[kind == graph::GraphKind::kTrigger].insert(key);
    }
    execution_children_ = graph::IndexChildren(graph_, graph::GraphKind::kExecution, kChildrenPerNode, parents[0]);
    trigger_children_ = graph::IndexChildren(graph_, graph::GraphKind::kTrigger, kChildrenPerNode, parents[1]);
  }

  std::string Verdict(const check::CheckReport& r) const {
    std::string cls, headline;
    if (!r.findings.empty()) {
      cls = "findings";
      headline = std::to_string(r.findings.size()) + (r.findings.size() == 1 ? " finding" : " findings");
    } else if (!r.cannot_judge.empty()) {
      cls = "cannot-judge";
      headline = "Cannot judge";
    } else {
      cls = "clean";
      headline = "Clean";
    }
    std::string out = "<header class=\"verdict " + cls + "\" id=\"verdict\">\n<h1>" + E(headline) + "</h1>\n";
    out += "<p>" + E(check::SummaryLine(r)) + "</p>\n";
    if (!r.cannot_judge.empty()) out += "<p><strong>Cannot judge:</strong> " + E(r.cannot_judge) + "</p>\n";
    std::map<std::string, int> by_rule;
    for (const auto& f : r.findings) ++by_rule[f.rule];
    if (!by_rule.empty()) {
      out += "<p class=\"rules\">";
      for (const auto& [rule, n] : by_rule) out += "<span>" + std::to_string(n) + " " + E(rule) + "</span>";
      out += "</p>\n";
    }
    if (!r.notes.empty()) {
      out += "<ul class=\"notes\">\n";
      for (const auto& n : r.notes) out += "<li>note: " + E(n) + "</li>\n";
      out += "</ul>\n";
    }
    out += "<p class=\"trace\">trace: <span class=\"mono\">" + E(options_.trace_name) + "</span>, " +
           std::to_string(reader_.streams().size()) + " stream(s), " + std::to_string(r.events) + " events" +
           Runtimes() + "</p>\n";
    return out + "</header>\n";
  }

  std::string Finding(const check::CheckFinding& f, size_t index, bool open, bool picture) {
    std::string id = "finding-" + std::to_string(index + 1);
    std::string out = "<details class=\"finding\" id=\"" + id + "\"" + (open ? " open" : "") + ">\n<summary><span class=\"level " +
                      (f.level == "error" || f.level == "warning" ? f.level : std::string("info")) + "\">" + E(f.level) +
                      "</span><span class=\"rule\">" + E(f.rule) + "</span> " + E(f.title) + " <span class=\"mono dim\">" +
                      E(WhereText(f)) + "</span></summary>\n<dl class=\"facts\">\n";
    auto fact = [&](const char* name, const std::string& value) {
      if (!value.empty()) out += std::string("<dt>") + name + "</dt><dd class=\"mono\">" + E(value) + "</dd>\n";
    };
    fact("location", WhereText(f));
    if (!f.called_from.empty()) fact("called from", f.called_from.ToString());
    fact("storage", f.storage);
    if (!f.break_site.empty()) fact("store lost at", f.break_site.ToString());
    fact("process", "pid " + std::to_string(f.pid) + " thread " + std::to_string(f.thread) +
                        (f.rule == "leak" ? std::string() : ", event " + std::to_string(f.seq)) +
                        (f.occurrences > 1 ? ", seen " + std::to_string(f.occurrences) + " times" : ""));
    out += "</dl>\n";
    out += Source(f);
    if (!f.chain.empty()) {
      out += "<div class=\"chain-text\">chain (innermost first):<ol class=\"chain mono\">\n";
      for (const auto& link : f.chain) out += "<li>" + E(link) + "</li>\n";
      out += "</ol></div>\n";
    }
    if (picture) {
      out += ChainPicture(f);
    } else if (f.read_async_id) {
      out += "<p class=\"more\">Picture left out (only the first " + std::to_string(options_.chain_pictures) +
             " findings get one): <span class=\"mono\">ahtrace graph TRACE --kind " +
             (KindFor(f) == graph::GraphKind::kTrigger ? "trigger" : "execution") + " --pid " + std::to_string(f.pid) +
             " --thread " + std::to_string(f.thread) + " --root ID -o chain.svg</span> draws one.</p>\n";
    }
    if (!f.details.empty()) {
      out += "<ul class=\"details\">\n";
      for (const auto& d : f.details) out += "<li>" + E(d) + "</li>\n";
      out += "</ul>\n";
    }
    if (!f.hint.empty()) out += "<p class=\"fix\"><strong>fix:</strong> " + E(f.hint) + "</p>\n";
    out += "<p class=\"meta\">fingerprint <span class=\"mono\">" + E(f.fingerprint) + "</span></p>\n";
    return out + "</details>\n";
  }

  std::string Leaks(const std::vector<const check::CheckFinding*>& leaks, const std::vector<std::string>& notes,
                    bool in_verdict) const {
    std::string out = "<section class=\"leaks\" id=\"leaks\">\n<h2>Leaked handles (" + std::to_string(leaks.size()) +
                      ")</h2>\n<p class=\"dim\">Handles that keep node's event loop running and were still alive at "
                      "the end of the trace. " +
                      (in_verdict ? std::string("They count as findings (--leaks).")
                                  : std::string("Listed here only: they count as findings with --leaks.")) +
                      "</p>\n";
    if (leaks.empty()) return out + "<p>None.</p>\n</section>\n";
    out += "<table class=\"leaks\"><thead><tr><th>handle</th><th>created at</th><th>chain</th><th>process</th></tr>"
           "</thead><tbody>\n";
    size_t shown = 0;
    for (const auto* f : leaks) {
      if (shown++ == options_.max_leaks) break;
      out += "<tr><td>" + E(f->title) + "</td><td class=\"mono\">" + E(f->where.empty() ? "(no site)" : f->where.ToString()) +
             "</td><td class=\"mono\">" + E(Join(f->chain)) + "</td><td>pid " + std::to_string(f->pid) + " thread " +
             std::to_string(f->thread) + "</td></tr>\n";
    }
    out += "</tbody></table>\n";
    if (leaks.size() > options_.max_leaks)
      out += "<p class=\"more\">and " + std::to_string(leaks.size() - options_.max_leaks) +
             " more leaked handles, not listed (<span class=\"mono\">ahtrace check --leaks --format json</span> lists "
             "them all)</p>\n";
    for (const auto& n : notes) out += "<p class=\"more\">" + E(n) + "</p>\n";
    return out + "</section>\n";
  }

 private:
  static constexpr int kLevelsUp = 8;
  static constexpr size_t kChildrenPerNode = 2;

  // Leaks are about why a handle exists (the trigger graph); a lost store
  // about which callback created what (the execution graph, as check's chain).
  static graph::GraphKind KindFor(const check::CheckFinding& f) {
    return f.rule == "leak" ? graph::GraphKind::kTrigger : graph::GraphKind::kExecution;
  }

  std::vector<uint64_t> Centres(const check::CheckFinding& f) const {
    std::vector<uint64_t> keys;
    for (int64_t id : {f.read_async_id, f.break_async_id})
      if (id)
        if (const graph::GraphNode* n = graph_.Find(f.stream, id)) keys.push_back(n->key);
    return keys;
  }

  std::string Runtimes() const {
    std::set<std::string> versions;
    for (const auto& s : reader_.streams())
      versions.insert(s.runtime + " " + s.node_version + (s.async_context_frame ? " (AsyncContextFrame)" : ""));
    std::string out;
    for (const auto& v : versions) out += ", " + E(v);
    return out;
  }

  std::string Source(const check::CheckFinding& f) const {
    if (f.source.empty()) {
      if (f.where.empty()) return {};
      return "<p class=\"dim\">The trace holds no source text for " + E(f.where.file) +
             " (recorded before sources were kept, or the recorder could not read it).</p>\n";
    }
    std::string out = "<table class=\"source\" aria-label=\"source around the location\">\n";
    for (size_t i = 0; i < f.source.lines.size(); ++i) {
      int line = f.source.first_line + static_cast<int>(i);
      out += std::string("<tr") + (line == f.where.line ? " class=\"focus\"" : "") + "><td class=\"n\">" +
             std::to_string(line) + "</td><td>" + E(Clip(f.source.lines[i], options_.max_source_line)) + "</td></tr>\n";
    }
    return out + "</table>\n";
  }

  std::string ChainPicture(const check::CheckFinding& f) {
    graph::Neighbourhood around;
    around.centres = Centres(f);
    if (around.centres.empty()) return {};
    around.levels_up = kLevelsUp;
    around.children_per_node = kChildrenPerNode;
    around.max_nodes = options_.chain_nodes;
    graph::GraphKind kind = KindFor(f);
    graph::SelectedGraph selected;
    graph::SelectNeighbourhood(graph_, kind == graph::GraphKind::kTrigger ? trigger_children_ : execution_children_,
                               around, &selected);
    graph::GraphOptions g;
    g.kind = kind;
    std::string svg;
    Status st = graph::RenderToString(selected, reader_.streams(), stores_, g, "svg", "dot", &svg);
    if (!st.ok()) return "<p class=\"more\">The chain picture could not be drawn: " + E(st.message()) + "</p>\n";
    std::string caption = std::to_string(selected.nodes.size()) + " resource(s) around " +
                          (f.rule == "leak" ? "the leaked handle" : "the callback that read the store") +
                          (kind == graph::GraphKind::kTrigger ? "; edge: trigger -> resource it triggered"
                                                              : "; edge: running callback -> resource it created") +
                          "; red: context lost here, orange: store disappears here, purple: leaked";
    return "<figure class=\"chain\"><img alt=\"" + E("graph of the chain: " + Join(f.chain)) +
           "\" src=\"data:image/svg+xml;base64," + Base64(svg) + "\"><figcaption>" + E(caption) +
           "</figcaption></figure>\n";
  }

  static std::string Join(const std::vector<std::string>& chain) {
    std::string out;
    for (size_t i = 0; i < chain.size(); ++i) out += (i ? " <- " : "") + chain[i];
    return out;
  }

  const TraceReader& reader_;
  const HtmlReportOptions& options_;
  graph::GraphCollector& graph_;
  std::vector<std::vector<StoreInfo>> stores_;
  graph::ChildIndex execution_children_, trigger_children_;
};

}  // namespace

Status CheckToHtml(const std::string& trace_path, const check::CheckOptions& check_options,
                   const check::Baseline* baseline, const HtmlReportOptions& options, check::CheckReport* verdict,
                   std::string* html) {
  Status st;
  auto reader = OpenTrace(trace_path, &st);
  if (!reader) return st;
  graph::GraphCollector graph;
  TimelineCollector timeline;
  SinkFanout pictures;
  pictures.Add(&graph);
  pictures.Add(&timeline);
  check::CheckReport leak_report;
  st = check::RunCheck(*reader, check_options, baseline, verdict, &pictures,
                       check_options.leaks ? nullptr : &leak_report);
  if (!st.ok()) return st;

  std::vector<const check::CheckFinding*> listed, leaks;
  for (const auto& f : verdict->findings) {
    if (f.rule == "leak") leaks.push_back(&f);
    if (listed.size() < options.max_findings) listed.push_back(&f);
  }
  for (const auto& f : leak_report.findings) leaks.push_back(&f);
  graph::MarkCheckFindings(*verdict, &graph);
  graph::MarkCheckFindings(leak_report, &graph);

  Page page(*reader, options, graph);
  std::vector<const check::CheckFinding*> pictured(listed.begin(),
                                                   listed.begin() + std::min(listed.size(), options.chain_pictures));
  page.PrepareChains(pictured);

  std::string title = "ahtrace report: " +
                      (!verdict->findings.empty() ? std::to_string(verdict->findings.size()) + " finding(s)"
                       : verdict->cannot_judge.empty() ? std::string("clean")
                                                       : std::string("cannot judge")) +
                      " - " + options.trace_name;
  std::string& out = *html;
  out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"ahtrace " AHTRACE_VERSION "\">\n<title>" +
        E(title) + "</title>\n<style>" + Style() + "</style>\n</head>\n<body>\n";
  out += page.Verdict(*verdict);
  out += "<main>\n<section id=\"findings\">\n<h2>Findings (" + std::to_string(verdict->findings.size()) + ")</h2>\n";
  if (listed.empty()) {
    out += "<p>" + std::string(verdict->cannot_judge.empty() ? "No finding." : "No finding, but the trace gave nothing to judge by (see above).") + "</p>\n";
  } else {
    out += "<div class=\"tools\" id=\"finding-tools\"></div>\n";
    for (size_t i = 0; i < listed.size(); ++i)
      out += page.Finding(*listed[i], i, i < options.expanded_findings, i < options.chain_pictures);
    if (verdict->findings.size() > listed.size())
      out += "<p class=\"more\">and " + std::to_string(verdict->findings.size() - listed.size()) +
             " more findings, not listed (the first " + std::to_string(listed.size()) +
             " are; <span class=\"mono\">ahtrace check --format json</span> lists them all)</p>\n";
  }
  out += "</section>\n<section id=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"dim\">One row per process and thread "
         "(callbacks run in it, in brackets); time runs left to right; each stretch is coloured by the store the "
         "running callback had (of the lowest-numbered storage), its height is the share of the time spent in "
         "callbacks. Threads that ran no callback have no row.</p>\n";
  out += TimelineHtml(timeline, *reader, options.timeline);
  out += "</section>\n";
  out += page.Leaks(leaks, leak_report.notes, check_options.leaks);
  out += "<footer>ahtrace " AHTRACE_VERSION " &middot; the same trace always gives this same page</footer>\n</main>\n";
  out += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  return Status::Ok();
}

}  // namespace ahtrace::report
