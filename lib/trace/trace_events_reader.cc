#include "trace/trace_events_reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <queue>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/untrusted_json.h"
#include "trace/trace_events_scanner.h"

namespace ahtrace {
namespace {
using json = nlohmann::json;

constexpr const char* kCallbackSuffix = "_CALLBACK";

bool EndsWith(const std::string& s, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// One async_hooks trace event, waiting in the reorder window.
struct Pending {
  int64_t ts_ns;
  uint64_t order;  // position in the input: ties keep input order
  Event event;
  // A min-heap on (time, input order) through std::priority_queue.
  bool operator<(const Pending& o) const { return ts_ns != o.ts_ns ? ts_ns > o.ts_ns : order > o.order; }
};

// Streams the log(s): one element of traceEvents at a time, parsed alone.
//
// Node's events of one thread are in time order in the file but for small
// inversions (the time is taken before the buffer's lock), and rotated
// files follow one another. Events wait in a window of kReorderWindow
// events and leave it earliest first, so each thread's events come out in
// time order, ties in file order, as the whole-file sort did before. An
// event that arrives later than the window can repair is a problem and is
// handed out where it is.
class TraceEventsReader : public TraceReader {
 public:
  static constexpr size_t kReorderWindow = 1u << 16;

  explicit TraceEventsReader(std::vector<std::string> files)
      : files_(std::move(files)), total_bytes_(TotalFileSize(files_)) {}

  // Opens the first file and finds its traceEvents array: what tells a
  // trace-event log from anything else is fatal here, nowhere later.
  Status Open() { return OpenFile(0); }

  InputPosition Position() const override {
    return {done_bytes_ + (scanner_ ? scanner_->consumed() : 0), total_bytes_};
  }

  bool ReadNext(Event* ev) override {
    while (status_.ok() && window_.size() < kReorderWindow && ReadElement()) {
    }
    if (!status_.ok() || window_.empty()) return false;
    Pending p = window_.top();
    window_.pop();
    Released& last = released_[p.event.stream];
    if (last.any && p.ts_ns < last.ts_ns)
      Problem(streams_[p.event.stream].path, p.event.location, false,
              "trace event " + std::to_string(p.order) + ": earlier than " + std::to_string(kReorderWindow) +
                  " events of its thread read before it; replayed out of time order");
    last = {true, std::max(last.ts_ns, p.ts_ns)};
    p.event.seq = streams_[p.event.stream].events++;
    *ev = p.event;
    return true;
  }

 private:
  struct Released {
    bool any = false;
    int64_t ts_ns = 0;
  };

  Status OpenFile(size_t index) {
    file_index_ = index;
    path_ = files_[index];
    in_ = std::ifstream(path_, std::ios::binary);
    if (!in_) return InvalidTrace(path_ + ": cannot open");
    scanner_ = std::make_unique<TraceEventsScanner>(in_);
    if (!scanner_->Start()) return InvalidTrace(path_ + ": " + scanner_->error());
    return Status::Ok();
  }

  // Reads one element into the window (or the next file); false when
  // every file is read or on a fatal error.
  bool ReadElement() {
    for (;;) {
      if (!scanner_) return false;
      switch (scanner_->Next()) {
        case TraceEventsScanner::Result::kElement:
          Take(scanner_->element(), scanner_->element_offset());
          return true;
        case TraceEventsScanner::Result::kError:
          status_ = InvalidTrace(path_ + ": " + scanner_->error());
          return false;
        case TraceEventsScanner::Result::kTruncated:
          // What node leaves when it is killed mid-write: the events
          // before are good.
          Problem(path_, scanner_->consumed(), false,
                  "the log ends inside its traceEvents array (node was stopped before closing it); the events "
                  "before are read");
          [[fallthrough]];
        case TraceEventsScanner::Result::kEnd:
          done_bytes_ += scanner_->consumed();
          scanner_.reset();
          if (file_index_ + 1 < files_.size()) {
            status_ = OpenFile(file_index_ + 1);
            if (!status_.ok()) return false;
          }
          break;
      }
    }
  }

  void Take(std::string_view text, uint64_t offset) {
    uint64_t order = ++order_;
    if (JsonNestsDeeperThan(text)) {
      Problem(path_, offset, false,
              "trace event " + std::to_string(order) + ": nested deeper than " + std::to_string(kMaxJsonNesting) +
                  " levels; skipped");
      return;
    }
    json te = json::parse(text, nullptr, false);
    if (te.is_discarded()) {
      Problem(path_, offset, false, "trace event " + std::to_string(order) + ": not JSON; skipped");
      return;
    }
    if (!te.is_object()) return;
    try {
      Classify(te, order, offset);
    } catch (const json::exception& e) {
      Problem(path_, offset, false, std::string("trace event ") + std::to_string(order) + ": " + e.what());
    }
  }

  void Classify(const json& te, uint64_t order, uint64_t offset) {
    std::string ph = te.value("ph", "");
    std::string name = te.value("name", "");
    int64_t pid = JsonIntegerOr(te, "pid", 0);
    if (ph == "M" && name == "version" && te.contains("args") && te["args"].contains("node")) {
      // Node may write it after the events: streams already open learn it now.
      std::string version = "v" + te["args"]["node"].get<std::string>();
      node_version_[pid] = version;
      for (auto& st : streams_)
        if (st.pid == pid) st.node_version = version;
    }
    std::string cat = te.value("cat", "");
    if (cat.find("node.async_hooks") == std::string::npos || (ph != "b" && ph != "e")) return;
    std::string hex = te.value("id", "");
    char* end = nullptr;
    errno = 0;
    // Ids are 64-bit two's complement in hex: node logs a destroy with id
    // -1 (0xffffffffffffffff) for HTTP parser resources it releases after
    // their real destroy; there is no resource to apply it to.
    auto id = static_cast<int64_t>(std::strtoull(hex.c_str(), &end, 16));
    if (hex.empty() || !end || *end != '\0' || errno == ERANGE) {
      Problem(path_, offset, false, "trace event " + std::to_string(order) + ": bad async id \"" + hex + "\"");
      return;
    }
    if (id < 0) return;
    double ts_us = te.value("ts", 0.0);
    // Kept in signed 64-bit ns, later subtracted: a time no tracer writes
    // (beyond 2096 since the epoch, or negative) is damage, not a time.
    if (!(ts_us >= 0 && ts_us <= 4e15)) {
      Problem(path_, offset, false, "trace event " + std::to_string(order) + ": \"ts\" is not a time in microseconds");
      return;
    }
    Pending p;
    p.order = order;
    Event& e = p.event;
    e.observed = false;  // node logs executionAsyncId at init only, never triggerAsyncId()
    e.async_id = AsyncId(id);
    e.location = offset;
    e.ts_ns = std::llround(ts_us * 1000.0);
    p.ts_ns = e.ts_ns;
    if (EndsWith(name, kCallbackSuffix)) {
      e.kind = ph == "b" ? EventKind::kBefore : EventKind::kAfter;
    } else if (ph == "b") {
      e.kind = EventKind::kInit;
      e.type = *types_.insert(name).first;
      const json& data = te.at("args").at("data");
      e.trigger_id = AsyncId(JsonIntegerOr(data, "triggerAsyncId", 0));
    } else {
      e.kind = EventKind::kDestroy;
    }
    e.stream = StreamFor(pid, JsonIntegerOr(te, "tid", 0));
    window_.push(std::move(p));
  }

  // Each (pid, tid) is one stream, numbered as it first appears.
  uint32_t StreamFor(int64_t pid, int64_t tid) {
    auto [it, added] = stream_index_.try_emplace({pid, tid}, 0);
    if (!added) return it->second;
    StreamInfo info;
    info.path = path_;
    info.format = "node-trace-events";
    info.format_version = kTraceFormatVersion;
    info.pid = pid;
    info.thread_id = tid;
    info.is_main_thread = pid == tid;
    auto version = node_version_.find(pid);
    if (version != node_version_.end()) info.node_version = version->second;
    info.header_json = json({{"format", "node-trace-events"}, {"pid", pid}, {"tid", tid}}).dump();
    it->second = AddStream(std::move(info));
    released_.emplace_back();
    return it->second;
  }

  std::vector<std::string> files_;
  size_t file_index_ = 0;
  std::string path_;  // the file being read
  std::ifstream in_;
  std::unique_ptr<TraceEventsScanner> scanner_;
  uint64_t done_bytes_ = 0, total_bytes_ = 0;
  uint64_t order_ = 0;
  std::priority_queue<Pending> window_;
  std::vector<Released> released_;  // per stream
  std::map<std::pair<int64_t, int64_t>, uint32_t> stream_index_;
  std::map<int64_t, std::string> node_version_;
  std::unordered_set<std::string> types_;  // string_views in events point here
};

}  // namespace

bool LooksLikeTraceEvents(const std::string& head) {
  size_t brace = head.find_first_not_of(" \t\r\n", head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0);
  return brace != std::string::npos && head[brace] == '{' && head.find("\"traceEvents\"") != std::string::npos;
}

namespace {

// "node_trace.10.log" after "node_trace.2.log": runs of digits compare as
// numbers, the rest byte by byte.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i0 = i, j0 = j;
      while (i < a.size() && std::isdigit(static_cast<unsigned char>(a[i]))) ++i;
      while (j < b.size() && std::isdigit(static_cast<unsigned char>(b[j]))) ++j;
      std::string_view x = std::string_view(a).substr(i0, i - i0), y = std::string_view(b).substr(j0, j - j0);
      while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
      while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j || (a.size() - i == b.size() - j && a < b);
}

}  // namespace

std::vector<std::string> ListTraceEventLogs(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    char head[256] = {0};
    in.read(head, sizeof head - 1);
    if (LooksLikeTraceEvents(std::string(head, static_cast<size_t>(in.gcount()))))
      names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end(), NaturalLess);
  std::vector<std::string> files;
  for (const auto& n : names) files.push_back((std::filesystem::path(dir) / n).string());
  return files;
}

std::unique_ptr<TraceReader> OpenTraceEvents(const std::string& path, Status* status) {
  return OpenTraceEventLogs({path}, status);
}

std::unique_ptr<TraceReader> OpenTraceEventLogs(std::vector<std::string> files, Status* status) {
  auto reader = std::make_unique<TraceEventsReader>(std::move(files));
  *status = reader->Open();
  if (!status->ok()) return nullptr;
  return reader;
}

}  // namespace ahtrace
