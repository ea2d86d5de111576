// Reads node's own trace-event log (`node --trace-event-categories
// node.async_hooks app.js` writes node_trace.1.log), so traces taken where
// the recorder cannot be preloaded can still be replayed, graphed and
// checked. What node logs is less than the recorder's stream: no
// promiseResolve, no AsyncLocalStorage activity, no triggerAsyncId() at
// callbacks, no creation sites; replay then checks the stack rules only.
// A directory of them (a rotated set) is one trace (OpenTrace).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "trace/reader.h"

namespace ahtrace {

// True when the first bytes of a file look like a Chrome trace-event JSON
// object (`{"traceEvents":`).
bool LooksLikeTraceEvents(const std::string& head);

// Opens one log. It is read as it is replayed, one event at a time (the
// file is never held whole: memory is a read chunk and a window of 65,536
// events that puts each thread's events back in time order). nullptr and
// *status set when the file does not start a traceEvents array; a file
// that breaks that structure later ends reading with a non-ok status(); a
// log cut short (node killed mid-write) is a problem, and the events
// before it are read.
std::unique_ptr<TraceReader> OpenTraceEvents(const std::string& path, Status* status);

// Several logs read as one trace, in the order given: the files node
// rotates through (node_trace.1.log, node_trace.2.log, ...), or one file
// per process (--trace-event-file-pattern '${pid}.log'). A thread's events
// continue from one file into the next.
std::unique_ptr<TraceReader> OpenTraceEventLogs(std::vector<std::string> files, Status* status);

// The trace-event logs in a directory (files that start like one), in
// natural order: node_trace.2.log before node_trace.10.log.
std::vector<std::string> ListTraceEventLogs(const std::string& dir);

}  // namespace ahtrace
