// Reads node's own trace-event log (`node --trace-event-categories
// node.async_hooks app.js` writes node_trace.1.log), so traces taken where
// the recorder cannot be preloaded can still be replayed, graphed and
// checked. What node logs is less than the recorder's stream: no
// promiseResolve, no AsyncLocalStorage activity, no triggerAsyncId() at
// callbacks, no creation sites; replay then checks the stack rules only.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "trace/reader.h"

namespace ahtrace {

// True when the first bytes of a file look like a Chrome trace-event JSON
// object (`{"traceEvents":`).
bool LooksLikeTraceEvents(const std::string& head);

// Loads the whole log (it is one JSON document). nullptr and *status set
// when it cannot be parsed.
std::unique_ptr<TraceReader> OpenTraceEvents(const std::string& path, Status* status);

}  // namespace ahtrace
