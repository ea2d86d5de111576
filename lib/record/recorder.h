// `ahtrace record`: runs a program with the recorder preloaded into every
// node process and thread it starts, and collects their streams into one
// trace directory.
//
// How: NODE_OPTIONS gets `--require <trace>/.preload.js` (node applies it to
// worker threads and to child node processes that inherit the environment),
// and AHTRACE_DIR tells the preload where to write. The program's stdin,
// stdout and stderr are inherited untouched; its exit status is returned.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace ahtrace::record {

struct RecordOptions {
  std::string output_dir;            // the trace directory to create
  std::vector<std::string> command;  // argv of the program
  std::string stacks = "default";    // none | default | all
  // Instrument the program's own CommonJS modules (not node_modules) so
  // that reads can be judged against the store their closure was created
  // under (the wrong-store rule; README).
  bool instrument = true;
  // Where a program file has a source map (a sourceMappingURL comment),
  // record sites and sources at the original (TypeScript) positions it
  // names (docs/recorder.md, "Source maps").
  bool source_maps = true;
  // `--max-size`: the trace's stream files are kept under this many bytes
  // by deleting each stream's oldest segments while the program runs (the
  // newest data is kept); 0 = no bound.
  uint64_t max_size = 0;
};

// What `--max-size` deleted.
struct DroppedData {
  uint64_t segments = 0;
  uint64_t bytes = 0;
  std::vector<std::string> streams;  // stems of the streams that lost segments, in order
  // The newest segment of each stream alone passed the bound (they are
  // never deleted: they are being written).
  bool over_bound = false;
};

// Parses a size such as 500M, 2G, 64MiB or 1048576 (bytes); false when
// it is not one.
bool ParseByteSize(const std::string& text, uint64_t* bytes);
// The segment size a trace bounded to `max_size` bytes is cut into.
uint64_t SegmentBytesFor(uint64_t max_size);
constexpr uint64_t kMinMaxSize = 8ull << 20;

// Exit codes of `ahtrace record` besides the program's own (as timeout(1)
// and env(1) use them).
constexpr int kExitRecordingIncomplete = 124;  // the program exited 0, but part of it was not recorded
constexpr int kExitRecorderFailed = 125;  // nothing recorded, node too old, a runtime without async_hooks, setup failed
constexpr int kExitNotExecutable = 126;
constexpr int kExitNotFound = 127;

struct RecordResult {
  int exit_code = 0;        // what `ahtrace record` should exit with
  bool signaled = false;    // the program died by a signal
  int signal = 0;
  size_t streams = 0;       // stream files written
  std::vector<std::string> warnings;
  // Processes or threads the trace does not hold whole: a recorder that
  // failed to start, a stream with no events, a stream without its end
  // record. Non-empty means exit_code is kExitRecordingIncomplete when the
  // program itself exited 0 (its own failure code is kept otherwise).
  std::vector<std::string> incomplete;
  // A recorder stopped because the disk filled up (or the quota ran out).
  bool disk_full = false;
  DroppedData dropped;  // what --max-size deleted
};

// Runs the program to completion. A non-ok status means the recording
// failed (its message says why; result->exit_code is still set).
Status Record(const RecordOptions& options, RecordResult* result);

// The recorder source embedded in the binary (lib/record/preload.js).
const char* PreloadSource();

}  // namespace ahtrace::record
