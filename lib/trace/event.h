// The decoded form of one trace record, shared by every reader and consumer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ahtrace {

// An async id as node numbers resources (per process and thread). Kept a
// distinct type from row ids and sequence numbers so they cannot be mixed.
struct AsyncId {
  int64_t value = 0;
  constexpr AsyncId() = default;
  constexpr explicit AsyncId(int64_t v) : value(v) {}
  friend constexpr bool operator==(AsyncId, AsyncId) = default;
  friend constexpr auto operator<=>(AsyncId, AsyncId) = default;
};

// The record kinds of trace format version 1 (docs/trace-format.md).
enum class EventKind : uint32_t {
  kInit = 1,
  kBefore = 2,
  kAfter = 3,
  kDestroy = 4,
  kPromiseResolve = 5,
  kString = 16,  // definitions: consumed by readers, never handed out
  kStore = 17,
  kSource = 18,  // a program file's text (docs/trace-format.md)
  kFunctions = 19,  // a program file's function and call extents, from the recorder's parser
  kAlsCreate = 32,
  kAlsRunBegin = 33,
  kAlsRunEnd = 34,
  kAlsEnterWith = 35,
  kAlsExitBegin = 36,
  kAlsExitEnd = 37,
  kAlsDisable = 38,
  kAlsGetStore = 39,
  // The read that follows ran inside a closure created under another store
  // (the program's modules are instrumented: docs/trace-format.md): store =
  // that store, site = the closure's start, callers = the frame that ran it.
  kAlsExpect = 40,
  kListenerAdd = 48,
  kEmitBegin = 49,
  kEmitEnd = 50,
  kProcessEmitBegin = 51,  // process 'exit' / 'beforeExit' listeners start
  kProcessEmitEnd = 52,
  kStreamEnd = 63,
};

// Name used in NDJSON, stats and SQL ("init", "alsRunBegin", ...); nullptr for
// a kind this version does not know.
const char* EventKindName(EventKind kind);
bool EventKindFromName(std::string_view name, EventKind* out);
inline bool IsHookEvent(EventKind k) {
  return k >= EventKind::kInit && k <= EventKind::kPromiseResolve;
}
inline bool IsAlsEvent(EventKind k) {
  return k >= EventKind::kAlsCreate && k <= EventKind::kAlsExpect;
}

// Store ids are small integers by first appearance; 0 is `undefined`.
using StoreId = int64_t;
constexpr StoreId kUndefinedStore = 0;
using StorageId = int64_t;

// One event of one stream. String views point into the reader's tables and
// stay valid as long as the reader lives.
struct Event {
  EventKind kind = EventKind::kInit;
  uint32_t stream = 0;       // index into TraceReader::streams()
  uint64_t seq = 0;          // 0-based position among the stream's events
  uint64_t location = 0;     // byte offset (binary) or 1-based line (NDJSON)
  AsyncId async_id;          // hook events: the resource
  AsyncId trigger_id;        // init: triggerAsyncId
  StorageId storage = 0;     // ALS events
  StoreId store = 0;         // ALS events: the store passed or returned
  bool observed = true;      // false when the trace carries no eid/tid (hand-made NDJSON, tests)
  AsyncId observed_eid;      // executionAsyncId() as node reported it
  AsyncId observed_tid;      // triggerAsyncId() as node reported it
  int64_t ts_ns = 0;         // ns since the Unix epoch
  std::string_view type;     // init: resource type; listenerAdd: event name
  std::string_view site;     // first user frame "file:line:col", or empty
  std::string_view enclosing;  // start "file:line:col" of the function holding `site`, or empty
  std::string_view callers;  // alsGetStore: the next user frames, "\n"-separated; alsExpect: the closure's caller
  int64_t emitter = 0;       // listenerAdd/emitBegin/emitEnd: the emitter (by first appearance)
  int64_t listener = 0;      // listenerAdd: the listener function (by first appearance)
  int64_t exit_code = 0;     // streamEnd
};

}  // namespace ahtrace
