// A finding: a place where the trace breaks one of node's async_hooks rules,
// where the simulator and node disagree, or where a record could not be
// read. Findings are data: replay never stops for one.
#pragma once

#include <cstdint>
#include <string>

#include "trace/event.h"

namespace ahtrace {

enum class Severity { kInfo, kWarning, kError };
const char* SeverityName(Severity s);

// Finding kinds. Every disagreement between the model and node ends in
// "-mismatch", so `kind LIKE '%mismatch%'` finds them all.
namespace finding_kind {
constexpr const char* kEidMismatch = "eid-mismatch";          // executionAsyncId differs
constexpr const char* kTidMismatch = "tid-mismatch";          // triggerAsyncId differs
constexpr const char* kStoreMismatch = "store-mismatch";      // getStore() differs
constexpr const char* kStackCorrupted = "stack-corrupted";    // after(x) with another id on top
constexpr const char* kAfterWithoutBefore = "after-without-before";
constexpr const char* kInitTwice = "init-twice";
constexpr const char* kDestroyTwice = "destroy-twice";
constexpr const char* kUnknownResource = "unknown-resource";  // event for an id never initialised
constexpr const char* kCallbackAfterDestroy = "callback-after-destroy";
constexpr const char* kUnknownTrigger = "unknown-trigger";
constexpr const char* kUnfinishedCallback = "unfinished-callback";  // before with no after at the end
constexpr const char* kUnknownStorage = "unknown-storage";
constexpr const char* kAlsUnbalanced = "als-unbalanced";      // run/exit end without its begin
constexpr const char* kBadRecord = "bad-record";              // the reader could not decode a record
constexpr const char* kNoHookEvents = "no-hook-events";      // Bun/Deno: ALS activity only, nothing simulated
// What the trace could not see: each fails `check`, because a verdict on a
// trace that lacks a process, a thread or a stream's tail would be a guess.
constexpr const char* kRecorderFailed = "recorder-failed";    // a process or thread was not recorded
constexpr const char* kEmptyStream = "empty-stream";          // a stream holds no event
constexpr const char* kStreamCutShort = "stream-cut-short";   // a stream ends without its end record
constexpr const char* kDataDropped = "data-dropped";          // a stream's oldest segments were deleted (--max-size)
}  // namespace finding_kind

// Findings of one kind listed per stream (and read problems per trace);
// the rest are counted and summed up in one finding. Enough to see the
// pattern and find the first case; bounded whatever the input.
constexpr uint64_t kMaxListedFindingsPerKind = 1000;

struct Finding {
  const char* kind = "";
  Severity severity = Severity::kError;
  uint32_t stream = 0;
  bool has_event = false;  // false for stream-level findings
  uint64_t seq = 0;        // the event's position in its stream
  uint64_t location = 0;   // byte offset or line of the event in its file
  AsyncId async_id;        // the resource concerned, 0 if none
  std::string expected;    // what the model expected, empty if n/a
  std::string observed;    // what the trace shows, empty if n/a
  std::string message;     // one sentence for people
};

}  // namespace ahtrace
