// Readers turn a trace on disk into a sequence of Events.
//
// A trace is a directory of binary streams (one per process and thread), a
// single binary stream file, or one NDJSON file (docs/trace-format.md).
// Readers stream: memory grows with the number of strings and stores, not
// with the number of events.
//
// Errors are data. A record that cannot be decoded is reported through the
// problem callback with its file and position, and reading goes on with the
// next record; only an unreadable file (wrong magic, unknown format version,
// I/O error) is fatal and ends reading with a non-ok status().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/progress_meter.h"
#include "common/status.h"
#include "trace/event.h"

namespace ahtrace {

constexpr uint32_t kTraceFormatVersion = 1;
constexpr uint32_t kOldestSupportedFormatVersion = 1;

// What a stream's header says about the process or thread that wrote it.
struct StreamInfo {
  std::string path;          // the file it was read from
  std::string format;        // "binary" or "ndjson"
  uint32_t format_version = 0;
  int64_t pid = 0;
  int64_t ppid = 0;
  int64_t thread_id = 0;
  bool is_main_thread = true;
  std::string node_version;  // e.g. "v20.20.2"
  std::string stacks;        // "none", "default", "all"
  bool async_context_frame = false;
  bool allow_async_hooks_flag = false;
  // "node", or "bun"/"deno": runtimes that offer AsyncLocalStorage without
  // (all of) the async_hooks events. Their streams hold AsyncLocalStorage
  // activity only (hook_events false): nothing to simulate stores with.
  std::string runtime = "node";
  bool hook_events = true;
  // The recorder instrumented the program's own modules, so reads inside
  // closures created under another store carry an alsExpect record.
  bool closure_ownership = false;
  std::string header_json;   // the whole header, as written
  int64_t time_origin_ns = 0;  // performance.timeOrigin; event times are relative to it
  // `record --max-size` deleted this stream's oldest segments: reading
  // starts at segment first_segment (0: the stream is whole from its start).
  // What happened before it is unknown (resources, stores, storages).
  uint64_t first_segment = 0;
  uint64_t segments = 1;         // segment files read
  uint64_t missing_segments = 0; // segments missing between kept ones (damage)
  bool ended_cleanly = false;  // a streamEnd record was seen
  int64_t exit_code = 0;       // from streamEnd
  uint64_t events = 0;         // events read so far
};

// A store as first seen in a stream: its id, a short preview of the value
// and what kind of value it is ("object", "string", ...).
struct StoreInfo {
  StoreId id = 0;
  std::string label;
  std::string value_kind;
};

// A process or thread whose recorder failed to start: the recorder leaves
// p<pid>-t<thread>.failed in the trace directory instead of a stream.
struct RecorderFailure {
  std::string file;
  int64_t pid = 0;
  int64_t thread_id = 0;
  std::string node_version;
  std::string message;
};

// A program file as the recorder read it when a recorded site first pointed
// into it: check takes its evidence (line text; function extents where the
// trace has no functions record for the file) from here, never from the
// reading machine's disk, so a verdict depends on the trace alone. Both
// views live as long as the reader.
struct SourceFile {
  std::string_view file;  // as sites name it (an absolute path)
  std::string_view text;
};

// The parser's view of a program file (the recorder's functions record,
// kind 19): where each function starts and where its body lies, and the
// argument lists of calls that have a function written in them. Positions
// are V8's: 1-based line, 1-based UTF-16 column, in the text as written; a
// function's start is where V8's getEnclosingLineNumber/ColumnNumber put
// it (docs/recorder.md), a call's where a stack frame inside it points.
struct SourcePos {
  int32_t line = 0, col = 0;
  bool operator<(const SourcePos& o) const { return line != o.line ? line < o.line : col < o.col; }
  bool operator<=(const SourcePos& o) const { return !(o < *this); }
  bool operator==(const SourcePos& o) const { return line == o.line && col == o.col; }
};
struct FunctionExtent {
  SourcePos start;       // as V8 reports the function's start
  SourcePos body_begin;  // the body's first character ('{', or an arrow's expression)
  SourcePos body_end;    // just past the body's last character
};
struct CallExtent {
  SourcePos at;          // as V8 reports the call (`run` in `als.run(...)`)
  SourcePos open, close; // its '(' and matching ')'
};
struct SourceExtents {
  std::vector<FunctionExtent> functions;  // sorted by start; one per start
  std::vector<CallExtent> calls;          // sorted by at; one per position
  // The function starting exactly at `start`, or nullptr.
  const FunctionExtent* FunctionAt(SourcePos start) const;
  // The call V8 reports at `at`, or nullptr.
  const CallExtent* CallAt(SourcePos at) const;
};
// Decodes the text of a functions record (docs/trace-format.md) holding
// `count` entries. Untrusted input: false with *error set, and *out left
// empty, on anything malformed (a bad number, a position out of range, an
// extent that ends before it begins, a count that does not match).
bool ParseSourceExtents(std::string_view text, int64_t count, SourceExtents* out, std::string* error);
// Bounds on what a functions record may hold.
constexpr int32_t kMaxExtentLine = 1 << 24;
constexpr int32_t kMaxExtentColumn = 1 << 24;
constexpr int64_t kMaxExtentEntries = 1 << 20;

// A functions record as a stream held it (for writers that carry it on).
struct FunctionsRecord {
  std::string_view file;
  std::string_view text;
  int64_t count = 0;
};

struct ReadProblem {
  std::string file;
  uint64_t location = 0;    // byte offset (binary) or line (NDJSON)
  bool is_line = false;     // true when location is a line number
  std::string message;
  // "file:line" or "file@offset", for messages.
  std::string Where() const;
};

class TraceReader {
 public:
  virtual ~TraceReader() = default;

  // Fills *ev with the next event of the trace; false at the end or on a
  // fatal error (then status() says which). Events of one stream come in
  // stream order; streams may interleave.
  bool Next(Event* ev) {
    bool more = ReadNext(ev);
    if (progress_ && (!more || (++events_read_ & (kProgressEvery - 1)) == 0)) ReportProgress(more);
    return more;
  }

  // How far reading has got: input bytes consumed and the input's total
  // size (the sum over every file read); total 0 when unknown.
  struct InputPosition {
    uint64_t done = 0, total = 0;
  };
  virtual InputPosition Position() const { return {}; }

  // Shows reading progress on `meter` (which must outlive the reading);
  // it is cleared when reading ends. nullptr: none.
  void set_progress(ProgressMeter* meter) { progress_ = meter; }

  const Status& status() const { return status_; }
  const std::vector<StreamInfo>& streams() const { return streams_; }
  // Stores of one stream, indexed by store id (index 0 is `undefined`).
  const std::vector<StoreInfo>& stores(uint32_t stream) const { return stores_[stream]; }

  // Sources a stream holds, in the order they were defined.
  const std::vector<SourceFile>& sources(uint32_t stream) const { return sources_[stream]; }
  // The text of `file` as the first stream holding it recorded it; empty
  // when the trace does not hold it (an older trace, or a file the
  // recorder could not or would not read).
  std::string_view SourceText(std::string_view file) const;
  // Functions records a stream holds, in the order they were defined.
  const std::vector<FunctionsRecord>& functions(uint32_t stream) const { return functions_[stream]; }
  // The extents of `file` as the first stream holding a valid functions
  // record for it recorded them; nullptr when the trace has none (an older
  // trace, a file the recorder did not parse, or a record that was bad).
  const SourceExtents* FunctionExtents(std::string_view file) const;

  // Processes and threads the trace does not hold because their recorder
  // failed to start (read when the trace is opened).
  const std::vector<RecorderFailure>& recorder_failures() const { return recorder_failures_; }
  void set_recorder_failures(std::vector<RecorderFailure> f) { recorder_failures_ = std::move(f); }

  // The callback hears the first kMaxReportedProblems problems; the rest
  // are only counted (problem_count()), so a stream of garbage costs no
  // memory downstream.
  static constexpr uint64_t kMaxReportedProblems = 1000;
  void set_problem_callback(std::function<void(const ReadProblem&)> cb) { on_problem_ = std::move(cb); }
  uint64_t problem_count() const { return problem_count_; }
  uint64_t unreported_problems() const {
    return problem_count_ > kMaxReportedProblems ? problem_count_ - kMaxReportedProblems : 0;
  }

 protected:
  // The reader's own step: what Next() returns.
  virtual bool ReadNext(Event* ev) = 0;

  void Problem(const std::string& file, uint64_t location, bool is_line, std::string message);
  uint32_t AddStream(StreamInfo info);
  // False (nothing defined) unless `id` is the next id or redefines one:
  // the recorder numbers stores 1, 2, ... so anything else is damage, and
  // accepting it would let a bad record allocate without bound.
  bool DefineStore(uint32_t stream, StoreId id, std::string label, std::string kind);
  // `file` and `text` must outlive the reader (its string pool).
  void DefineSource(uint32_t stream, std::string_view file, std::string_view text);
  // `file` and `text` must outlive the reader. Empty on success, else why
  // the record was refused (nothing is defined then).
  std::string DefineFunctions(uint32_t stream, std::string_view file, std::string_view text, int64_t count);

  Status status_;
  std::vector<StreamInfo> streams_;
  std::vector<std::vector<StoreInfo>> stores_;
  std::vector<std::vector<SourceFile>> sources_;
  std::vector<std::vector<FunctionsRecord>> functions_;
  std::vector<RecorderFailure> recorder_failures_;

 private:
  static constexpr uint64_t kProgressEvery = 4096;  // a power of two
  void ReportProgress(bool more);

  std::function<void(const ReadProblem&)> on_problem_;
  ProgressMeter* progress_ = nullptr;
  uint64_t events_read_ = 0;
  std::map<std::string_view, std::string_view> source_by_file_;
  std::map<std::string_view, SourceExtents> extents_by_file_;
  uint64_t problem_count_ = 0;
};

// Opens a trace: a directory of streams, one binary stream, or one NDJSON
// file. On failure returns nullptr and sets *status.
std::unique_ptr<TraceReader> OpenTrace(const std::string& path, Status* status);

// The stream files a trace directory holds, in a stable order: by pid,
// thread and name, a segmented stream's segments in their order.
std::vector<std::string> ListStreamFiles(const std::string& dir);

// A stream `record --max-size` cut into segment files: <stem>.ahs is
// segment 0, <stem>.<n>.ahs segment n. The oldest may have been deleted.
struct StreamSegments {
  std::string stem;  // file name without segment number and extension
  std::vector<std::pair<uint64_t, std::string>> segments;  // (number, path), in order
};
std::vector<StreamSegments> ListStreams(const std::string& dir);
// "p1-t0.3.ahs" -> stem "p1-t0", segment 3; "p1-t0.ahs" -> "p1-t0", 0.
void StreamSegmentOf(const std::string& file_name, std::string* stem, uint64_t* segment);

// What the end of a binary stream file says, read in O(1) without decoding
// the stream (`ahtrace record` uses it to tell at once whether a process's
// recording is whole): whether its header is readable, how many bytes of
// records follow it, and whether the last record is the recorder's
// streamEnd. The reader remains the authority (StreamInfo::ended_cleanly).
struct StreamTail {
  bool header_ok = false;
  uint64_t record_bytes = 0;
  bool ended = false;
};
StreamTail InspectStreamTail(const std::string& path);

// The sum of the files' sizes (0 for one that cannot be read), for
// readers' InputPosition: /proc files and pipes count 0.
uint64_t TotalFileSize(const std::vector<std::string>& files);

// "v24.22.3" -> 24; -1 when the text is not a node version.
int NodeMajorVersion(const std::string& version);

// The recorder-failure markers (*.failed) a trace directory holds, in a
// stable order. A marker that cannot be parsed is still a failure.
std::vector<RecorderFailure> ListRecorderFailures(const std::string& dir);

}  // namespace ahtrace
