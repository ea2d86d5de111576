#include "trace/trace_events_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/untrusted_json.h"

namespace ahtrace {
namespace {
using json = nlohmann::json;

constexpr const char* kCallbackSuffix = "_CALLBACK";

bool EndsWith(const std::string& s, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// One async_hooks trace event, as kept until the stream is sorted.
struct Pending {
  double ts_us;
  size_t order;  // position in the file: ties keep file order
  Event event;
};

class TraceEventsReader : public TraceReader {
 public:
  explicit TraceEventsReader(std::string path) : path_(std::move(path)) {}

  Status Load() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return InvalidTrace(path_ + ": cannot open");
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("traceEvents") || !doc["traceEvents"].is_array())
      return InvalidTrace(path_ + ": not a node trace-event log (expected {\"traceEvents\": [...]})");
    std::map<std::pair<int64_t, int64_t>, std::vector<Pending>> by_thread;
    std::map<int64_t, std::string> node_version;
    size_t order = 0;
    for (const json& te : doc["traceEvents"]) {
      ++order;
      if (!te.is_object()) continue;
      try {
        Classify(te, order, &by_thread, &node_version);
      } catch (const json::exception& e) {
        Defer(order, std::string("trace event ") + std::to_string(order) + ": " + e.what());
      }
    }
    // Each (pid, tid) is one stream; node writes events in per-thread
    // chunks, so they are put back in time order.
    for (auto& [key, events] : by_thread) {
      std::stable_sort(events.begin(), events.end(),
                       [](const Pending& a, const Pending& b) { return a.ts_us < b.ts_us; });
      StreamInfo info;
      info.path = path_;
      info.format = "node-trace-events";
      info.format_version = kTraceFormatVersion;
      info.pid = key.first;
      info.thread_id = key.second;
      info.is_main_thread = key.first == key.second;
      info.node_version = node_version.count(key.first) ? "v" + node_version[key.first] : "";
      info.header_json = json({{"format", "node-trace-events"}, {"pid", key.first}, {"tid", key.second}}).dump();
      uint32_t stream = AddStream(std::move(info));
      uint64_t seq = 0;
      for (auto& p : events) {
        p.event.stream = stream;
        p.event.seq = seq++;
        queue_.push_back(p.event);
      }
      streams_.back().events = events.size();
    }
    return Status::Ok();
  }

  bool ReadNext(Event* ev) override {
    // Problems found while loading wait for the caller's problem callback,
    // which is set after the reader is opened.
    for (auto& [location, message] : deferred_) Problem(path_, location, false, std::move(message));
    deferred_.clear();
    if (next_ >= queue_.size()) return false;
    *ev = queue_[next_++];
    return true;
  }

 private:
  void Classify(const json& te, size_t order, std::map<std::pair<int64_t, int64_t>, std::vector<Pending>>* by_thread,
                std::map<int64_t, std::string>* node_version) {
    std::string ph = te.value("ph", "");
    std::string name = te.value("name", "");
    int64_t pid = JsonIntegerOr(te, "pid", 0);
    if (ph == "M" && name == "version" && te.contains("args") && te["args"].contains("node"))
      (*node_version)[pid] = te["args"]["node"].get<std::string>();
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
      Defer(order, "trace event " + std::to_string(order) + ": bad async id \"" + hex + "\"");
      return;
    }
    if (id < 0) return;
    Pending p;
    p.ts_us = te.value("ts", 0.0);
    // Kept in signed 64-bit ns, later subtracted: a time no tracer writes
    // (beyond 2096 since the epoch, or negative) is damage, not a time.
    if (!(p.ts_us >= 0 && p.ts_us <= 4e15)) {
      Defer(order, "trace event " + std::to_string(order) + ": \"ts\" is not a time in microseconds");
      return;
    }
    p.order = order;
    Event& e = p.event;
    e.observed = false;  // node logs executionAsyncId at init only, never triggerAsyncId()
    e.async_id = AsyncId(id);
    e.location = order;
    e.ts_ns = std::llround(p.ts_us * 1000.0);
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
    (*by_thread)[{pid, JsonIntegerOr(te, "tid", 0)}].push_back(std::move(p));
  }

  void Defer(uint64_t location, std::string message) { deferred_.emplace_back(location, std::move(message)); }

  std::string path_;
  std::vector<std::pair<uint64_t, std::string>> deferred_;
  std::vector<Event> queue_;
  size_t next_ = 0;
  std::unordered_set<std::string> types_;  // string_views in events point here
};

}  // namespace

bool LooksLikeTraceEvents(const std::string& head) {
  size_t brace = head.find_first_not_of(" \t\r\n", head.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0);
  return brace != std::string::npos && head[brace] == '{' && head.find("\"traceEvents\"") != std::string::npos;
}

std::unique_ptr<TraceReader> OpenTraceEvents(const std::string& path, Status* status) {
  auto reader = std::make_unique<TraceEventsReader>(path);
  *status = reader->Load();
  if (!status->ok()) return nullptr;
  return reader;
}

}  // namespace ahtrace
