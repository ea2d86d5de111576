#include "trace/trace_events_scanner.h"

namespace ahtrace {
namespace {
bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
}  // namespace

TraceEventsScanner::TraceEventsScanner(std::istream& in, size_t chunk_bytes)
    : in_(in), chunk_(chunk_bytes ? chunk_bytes : 1) {}

bool TraceEventsScanner::Fill() {
  size_t have = buf_.size();
  buf_.resize(have + chunk_);
  in_.read(buf_.data() + have, static_cast<std::streamsize>(chunk_));
  buf_.resize(have + static_cast<size_t>(in_.gcount()));
  return buf_.size() > have;
}

bool TraceEventsScanner::SkipSpace() {
  for (;;) {
    if (pos_ >= buf_.size() && !Fill()) return false;
    if (!IsSpace(buf_[pos_])) return true;
    ++pos_;
  }
}

TraceEventsScanner::Scan TraceEventsScanner::ScanValue(size_t start, size_t* end) {
  char first = buf_[start];
  bool scalar = first != '{' && first != '[' && first != '"';
  bool in_string = false, escaped = false;
  int depth = 0;
  for (size_t i = start;; ++i) {
    if (i >= buf_.size()) {
      if (i - start >= kMaxElementBytes) return Scan::kTooLarge;
      if (!Fill()) return Scan::kEndOfInput;
    }
    char c = buf_[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"') {
        in_string = false;
        if (depth == 0) return *end = i + 1, Scan::kDone;  // the value was this string
      }
    } else if (scalar) {
      if (c == ',' || c == ']' || c == '}' || IsSpace(c)) return *end = i, Scan::kDone;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return *end = i + 1, Scan::kDone;
    }
  }
}

TraceEventsScanner::Result TraceEventsScanner::Fail(std::string why) {
  error_ = "at byte " + std::to_string(base_ + pos_) + ": " + std::move(why);
  return Result::kError;
}

bool TraceEventsScanner::Start() {
  auto refuse = [this]() {
    error_ = "not a node trace-event log (expected {\"traceEvents\": [...]})";
    return false;
  };
  while (buf_.size() < 3 && Fill()) {
  }
  if (buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // a byte-order mark
  if (!SkipSpace() || buf_[pos_] != '{') return refuse();
  ++pos_;
  for (;;) {
    if (!SkipSpace() || buf_[pos_] != '"') return refuse();
    size_t key_end = 0;
    if (ScanValue(pos_, &key_end) != Scan::kDone) return refuse();
    bool events = buf_.compare(pos_, key_end - pos_, "\"traceEvents\"") == 0;
    pos_ = key_end;
    if (!SkipSpace() || buf_[pos_] != ':') return refuse();
    ++pos_;
    if (!SkipSpace()) return refuse();
    if (events) {
      if (buf_[pos_] != '[') return refuse();
      ++pos_;
      return true;
    }
    size_t value_end = 0;
    if (ScanValue(pos_, &value_end) != Scan::kDone || value_end == pos_) return refuse();
    pos_ = value_end;
    if (!SkipSpace() || buf_[pos_] != ',') return refuse();
    ++pos_;
  }
}

TraceEventsScanner::Result TraceEventsScanner::Next() {
  // What the caller has seen is no longer needed; dropped a chunk at a
  // time (dropping each element as it goes would move the rest of the
  // buffer once per element).
  if (pos_ >= chunk_) {
    buf_.erase(0, pos_);
    base_ += pos_;
    pos_ = 0;
  }
  element_ = {};
  if (!SkipSpace()) return Result::kTruncated;
  if (buf_[pos_] == ']') {
    ++pos_;
    return Result::kEnd;
  }
  if (!first_) {
    if (buf_[pos_] != ',') return Fail("expected ',' or ']' after a trace event");
    ++pos_;
    if (!SkipSpace()) return Result::kTruncated;
  }
  first_ = false;
  size_t end = 0;
  switch (ScanValue(pos_, &end)) {
    case Scan::kEndOfInput:
      return Result::kTruncated;
    case Scan::kTooLarge:
      return Fail("a trace event larger than " + std::to_string(kMaxElementBytes >> 20) + " MiB");
    case Scan::kDone:
      break;
  }
  if (end == pos_) return Fail("an empty element in the traceEvents array");
  element_ = std::string_view(buf_).substr(pos_, end - pos_);
  element_offset_ = base_ + pos_;
  pos_ = end;
  return Result::kElement;
}

}  // namespace ahtrace
