// `ahtrace report` and `ahtrace check --format html`: check's verdict as one
// self-contained HTML page a CI job publishes as an artifact.
//
// The page, top to bottom: the verdict (clean, N findings, or cannot judge,
// with check's notes); each finding with its rule, location, caller, the
// program's lines around it (from the trace's source records, never from
// disk), the chain as text and as a picture of the graph around it
// (lib/graph, rendered to SVG by Graphviz); a timeline of every thread's
// callbacks coloured by store (timeline.h); the handles still alive at the
// end (the leak rule).
//
// Self-contained: CSS, the one small script and every picture are inline
// (SVG inline or as data: URIs), and a Content-Security-Policy forbids
// loading anything, so it views the same offline, in a CI artifact viewer,
// years later. Safe on hostile traces: every trace string goes through
// HtmlEscape (common/html.h) and lands only in text or quoted attributes;
// Graphviz's SVG is shown as an <img>, where no script can run.
// Bounded on a trace of a whole test run: at most max_findings findings
// (the first expanded_findings open, the rest folded), chain pictures for
// the first chain_pictures, a timeline of fixed width, each cap stated on
// the page. Deterministic: same trace and options, byte-identical page (no
// time of "now", order by check's own order and stream/sequence numbers).
#pragma once

#include <string>

#include "check/check.h"
#include "common/status.h"
#include "report/timeline.h"

namespace ahtrace::report {

// Colours the page gives its main parts: distinctive and solid, so that a
// screenshot shows where each part was drawn (tests/report_test.cc finds
// them in a headless browser's PNG).
inline constexpr const char* kVerdictFindingsColour = "#b3261e";
inline constexpr const char* kVerdictCleanColour = "#1b7f3b";
inline constexpr const char* kVerdictCannotJudgeColour = "#946200";
inline constexpr const char* kFindingStripeColour = "#5e35b1";
inline constexpr const char* kChainFrameColour = "#00838f";
inline constexpr const char* kTimelineFrameColour = "#0d47a1";
inline constexpr const char* kLeaksStripeColour = "#6d4c41";

struct HtmlReportOptions {
  std::string trace_name;         // how the page names the trace (the path given)
  size_t max_findings = 200;      // listed; "and N more" past it
  size_t expanded_findings = 10;  // open on load; the rest folded
  size_t chain_pictures = 25;     // findings with a picture of their chain
  size_t chain_nodes = 24;        // nodes per picture
  size_t max_leaks = 100;         // leaked handles listed
  size_t max_source_line = 240;   // bytes of a source line shown (minified code)
  TimelineOptions timeline;
};

// Runs check on the trace at `trace_path` (with `check_options` and
// `baseline`, exactly as `check` does: *verdict is what `check` would
// report, for its exit code) and renders the page into *html. The leak
// rule runs for the page's leak section even when check_options.leaks is
// off; then leaks are listed but do not count in the verdict.
// Errors: the trace cannot be read (kInvalidTrace), a picture cannot be
// rendered (kInternal).
Status CheckToHtml(const std::string& trace_path, const check::CheckOptions& check_options,
                   const check::Baseline* baseline, const HtmlReportOptions& options, check::CheckReport* verdict,
                   std::string* html);

}  // namespace ahtrace::report
