// Splits a Chrome trace-event JSON document, {"traceEvents": [ {...}, ...]},
// into the text of one array element at a time while reading the file in
// chunks, so that a 2 GB node_trace log costs a chunk and the largest
// event in memory, never the document.
//
// It only finds where each element of the top-level "traceEvents" array
// starts and ends (brackets and strings, escapes included); the caller
// parses each element with nlohmann. Keys before "traceEvents" are
// skipped; whatever follows the array is not read.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

namespace ahtrace {

class TraceEventsScanner {
 public:
  // An element (or a skipped value) larger than this ends the scan with an
  // error: node writes events of a few hundred bytes.
  static constexpr size_t kMaxElementBytes = 64u << 20;

  // `in` must outlive the scanner; it is read `chunk_bytes` at a time.
  explicit TraceEventsScanner(std::istream& in, size_t chunk_bytes = 1u << 20);

  enum class Result {
    kElement,    // element() holds the next element's text
    kEnd,        // the array closed: nothing more
    kTruncated,  // the input ended inside the array (a writer that was killed)
    kError,      // not such a document; error() says where and why
  };

  // Reads up to the opening '[' of "traceEvents" (what tells this format
  // from another); false, with error() set, when it is not there.
  bool Start();
  // The next element of the array.
  Result Next();

  // The last element's text; valid until the next call.
  std::string_view element() const { return element_; }
  // Byte offset of the last element in the input, and of everything read
  // so far (for progress).
  uint64_t element_offset() const { return element_offset_; }
  uint64_t consumed() const { return base_ + pos_; }
  const std::string& error() const { return error_; }

 private:
  enum class Scan { kDone, kEndOfInput, kTooLarge };
  bool Fill();       // appends a chunk to buf_; false at the end of input
  bool SkipSpace();  // to the next non-space byte; false at the end of input
  // Finds the end of the JSON value starting at buf_[start] (reading more
  // as needed: indices stay valid, views into buf_ do not).
  Scan ScanValue(size_t start, size_t* end);
  Result Fail(std::string why);

  std::istream& in_;
  size_t chunk_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t base_ = 0;  // input offset of buf_[0]
  bool first_ = true;  // no element read yet
  std::string_view element_;
  uint64_t element_offset_ = 0;
  std::string error_;
};

}  // namespace ahtrace
