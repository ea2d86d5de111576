// `ahtrace export`: a trace as Chrome trace-event JSON, the format
// ui.perfetto.dev and chrome://tracing both open.
//
// Chosen over Perfetto's protobuf format because both viewers read it,
// it needs no protobuf dependency, and it can be written event by event.
// docs/trace-format.md ("Chrome trace-event export") lists every event
// written. In short, per stream (process x thread):
//
//   - `M` process_name "pid P" and thread_name "thread T" (as `stats`
//     names streams), and sort indexes in stream order;
//   - each callback (before/after) as a `B`/`E` slice on the thread's
//     track, nested as the execution stack nested them; name = resource
//     type, args = asyncId, triggerAsyncId, site, stores (storage ->
//     store label, as replay and check print them);
//   - each resource's lifetime as an async `b`/`e` slice (cat = resource
//     type, id2.local = async id, scoped per process) from init to
//     destroy; one alive at the end of its stream is closed there with
//     `aliveAtEnd: true`, and `leaked: true` when `check --leaks` reports
//     it (a handle that keeps the loop running), so a leak is a bar that
//     runs to the end;
//   - for a resource created inside a callback, a flow (`s` at its init in
//     that callback, `f` bound to each of its own callbacks);
//   - `check`'s findings as thread-scoped instants (`i`) at the event they
//     are about (leaks: at the end of the stream).
//
// Memory: nothing is kept per event. The writer keeps the resources alive
// in each stream (as the model does) and the open callbacks; the check
// pass before it keeps what `check` keeps. Output is written as it goes.
//
// Same trace, same bytes: keys in a fixed order, integers as integers,
// times as exact decimal microseconds, everything in replay order.
#pragma once

#include <cstdint>
#include <string>

#include "common/progress_meter.h"
#include "common/status.h"

namespace ahtrace {

// Written into the output's otherData.ahtraceExportVersion; bumped when
// what an event means changes.
constexpr int kChromeTraceExportVersion = 1;

struct ChromeTraceOptions {
  bool findings = true;                // run check first and mark its findings
  ProgressMeter* progress = nullptr;   // shown while reading; may be null
};

struct ChromeTraceSummary {
  uint64_t events = 0;       // trace events read
  uint64_t written = 0;      // trace-event JSON objects written
  uint64_t callbacks = 0;    // B/E slices
  uint64_t flows = 0;        // s/f pairs
  uint64_t findings = 0;     // instants
  size_t streams = 0;
};

// Reads the trace at `trace_path` (twice when options.findings: once for
// check, once to write) and writes `output` ("-" = stdout) through a
// temporary file renamed into place. Times are microseconds since the
// earliest stream's time origin (node's performance.timeOrigin; for node's
// own trace-event logs, node's own clock).
Status ExportChromeTrace(const std::string& trace_path, const std::string& output, const ChromeTraceOptions& options,
                         ChromeTraceSummary* summary);

// "-12.345": `ns` nanoseconds as exact decimal microseconds, always three
// decimals (the same number always prints the same way).
std::string FormatMicroseconds(int64_t ns);

}  // namespace ahtrace
