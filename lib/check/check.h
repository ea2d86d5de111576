// `ahtrace check`: turns a trace into a verdict a CI job can act on.
//
// Replay runs the model; an analysis sink keeps, per resource, just what a
// causal walk needs (type, creation site, trigger and execution parents,
// the stores it was created with) for as long as something can still
// reach it: the model (until it forgets the resource), a kept child, a
// read that will be judged or a leak. A read that returned a store is
// judged without the resources (unless it ran in an emit, was owned by a
// closure, followed disable() or an enterWith()), so a healthy trace's
// check holds its live resources and its reads, not its history. It keeps
// every getStore() read with its context,
// EventEmitter listener registrations and the emits they ran in, and where
// code ran under a store. After replay, each read that returned undefined
// (or another store than its listener was registered under) is judged
// against the evidence (README, "What check finds"); a loss becomes a finding that
// names the read, the edge where the store disappeared, the chain, and the
// usual fix.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "model/async_model.h"
#include "trace/reader.h"

namespace ahtrace::check {

struct Location {
  std::string file;  // as recorded (absolute path), or empty
  int line = 0, column = 0;
  bool empty() const { return file.empty(); }
  std::string ToString() const;
  static Location Parse(std::string_view site);  // "file:line:col"
};

// Lines of the program around a finding's location, as the trace's own
// source records hold them (never read from disk): what the HTML report
// shows under each finding.
struct SourceExcerpt {
  int first_line = 0;              // number of lines[0]; 0 when empty
  std::vector<std::string> lines;  // as recorded, without their newline
  bool empty() const { return lines.empty(); }
};

struct CheckFinding {
  std::string rule;          // context-lost, wrong-store, listener-context, enter-with-after-await, leak, async-hooks-rule, model-mismatch
  std::string level;         // error or warning
  std::string title;         // one line
  Location where;            // the getStore() call (or the resource's creation site)
  Location break_site;       // where the store disappeared, if known
  Location called_from;      // the getStore() call's first caller, if recorded
  SourceExcerpt source;      // kSourceContextLines either side of `where`, if the trace holds the file
  std::string storage;       // where the storage was created ("file:line:col"), or "storage N"
  std::vector<std::string> chain;     // "Timeout 12 (app.js:40:1)", innermost first
  std::vector<std::string> details;   // ran in, broke, evidence lines
  std::string hint;          // what usually fixes it
  std::string fingerprint;   // stable across runs and machines
  int64_t pid = 0, thread = 0;
  uint32_t stream = 0;       // index of the stream in the trace
  int64_t read_async_id = 0;   // the resource the read (or leak) is about, 0 if none
  int64_t break_async_id = 0;  // the resource where the store disappeared, 0 if none
  uint64_t seq = 0;          // first occurrence, in its stream
  int occurrences = 1;
};

constexpr int kSourceContextLines = 3;

struct CheckOptions {
  bool context = true;        // context-loss rules
  bool leaks = false;         // handles alive at the end of the trace
  bool hook_rules = true;     // broken async_hooks rules found by replay
  bool mismatches = true;     // disagreements between the model and node
  // Call sites that must see a store: substrings matched against the read
  // site and its callers ("src/handlers/", "app.js:42").
  std::vector<std::string> expect_store;
  std::set<std::string> allow;  // fingerprints to accept
  // Read the program's sources from this directory (the live checkout)
  // instead of the copies in the trace: a file recorded under a stream's
  // working directory is looked up at the same relative path here. Empty:
  // the trace alone.
  std::string source_root;
};

// What the baseline trace contributes: its findings' fingerprints and the
// read sites where it saw a store.
struct Baseline {
  std::set<std::string> fingerprints;
  std::set<std::string> sites_with_store;  // normalised site keys
};

// `check`'s exit code when the trace gives nothing to judge (see
// CheckReport::cannot_judge); 0 and 1 are clean and findings.
constexpr int kExitCannotJudge = 6;

struct CheckReport {
  std::vector<CheckFinding> findings;  // reported (not allowed, not in the baseline)
  int allowed = 0;                     // matched --allow
  int in_baseline = 0;                 // also found in the baseline
  uint64_t events = 0, reads = 0, reads_undefined = 0, storages = 0;
  std::set<std::pair<std::string, std::string>> checked_sites;  // (rule family, site) for junit
  std::vector<std::string> notes;      // what limited the check (e.g. no sites recorded)
  // Set when the trace gives nothing to judge by (no event at all, or no
  // getStore() call while context checking is on): `check` then exits
  // kExitCannotJudge, never 0, so "saw nothing" cannot pass for "clean".
  std::string cannot_judge;
  Baseline as_baseline;                // this trace, for use as someone's baseline
};

// Replays the trace and judges it. `also_observe`, if set, sees the same
// replay (the HTML report draws its pictures from it without a second pass).
// `leaks`, if set, receives the leak rule's findings whatever
// options.leaks says (the report lists leaked handles beside a verdict
// that may not count them), judged against the same allow list and baseline.
Status RunCheck(TraceReader& reader, const CheckOptions& options, const Baseline* baseline, CheckReport* out,
                ModelSink* also_observe = nullptr, CheckReport* leaks = nullptr);

// "ahtrace check: 1 finding(s) (1 context-lost) in 6 getStore() call(s), 46
// events": the last line of the text report.
std::string SummaryLine(const CheckReport& r);

// Output formats. Text uses colour only when `color` is set.
std::string ReportText(const CheckReport& r, bool color);
nlohmann::json ReportJson(const CheckReport& r);
std::string ReportJunit(const CheckReport& r);
nlohmann::json ReportSarif(const CheckReport& r);

}  // namespace ahtrace::check
