#include "sinks/chrome_trace_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "check/check.h"
#include "common/io_error.h"
#include "common/output_file.h"
#include "model/replay.h"

namespace ahtrace {
namespace {
using json = nlohmann::json;

std::string JsonText(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// One trace-event object, keys in the order they are added. Values are
// either integers, exact times, or JSON that nlohmann escapes (trace
// strings are untrusted: invalid UTF-8 becomes U+FFFD, controls are
// escaped), so the line is always valid JSON.
class EventLine {
 public:
  EventLine& Str(const char* key, std::string_view v) { return Raw(key, JsonText(std::string(v))); }
  EventLine& Int(const char* key, int64_t v) { return Raw(key, std::to_string(v)); }
  EventLine& Time(int64_t ns) { return Raw("ts", FormatMicroseconds(ns)); }
  EventLine& Json(const char* key, const json& v) { return Raw(key, JsonText(v)); }
  const std::string& Text() {
    text_ += '}';
    return text_;
  }

 private:
  EventLine& Raw(const char* key, const std::string& value) {
    text_ += text_.size() > 1 ? ",\"" : "\"";
    text_ += key;
    text_ += "\":";
    text_ += value;
    return *this;
  }
  std::string text_ = "{";
};

// The id of a resource's lifetime slice: its async id, scoped per process
// by id2.local. Worker threads of one process number their resources
// from 1 too, so the n-th other thread of a process adds n * 2^40.
std::string LifetimeId(uint64_t thread_ordinal, AsyncId id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx",
                static_cast<unsigned long long>((thread_ordinal << 40) + static_cast<uint64_t>(id.value)));
  return buf;
}

class ChromeTraceWriter : public ModelSink, public EventSink {
 public:
  ChromeTraceWriter(FILE* out, const TraceReader& reader, int64_t origin_ns,
                    const std::vector<check::CheckFinding>& findings, ChromeTraceSummary* summary)
      : out_(out), reader_(reader), origin_ns_(origin_ns), summary_(summary) {
    for (const auto& f : findings) {
      if (f.rule == "leak") {
        leaked_.insert({f.stream, f.read_async_id});
        at_end_[f.stream].push_back(&f);
      } else {
        at_event_[{f.stream, f.seq}].push_back(&f);
      }
    }
    Write("{\"traceEvents\":[");
  }

  // Ends the traceEvents array and the document.
  void Finish() {
    FlushInstants();
    // Findings whose event never came (about a stream the trace does not
    // hold, a recorder that did not start): at the end of their stream, or
    // global instants at the end of the trace.
    auto place = [&](uint32_t stream, const check::CheckFinding& f) {
      const Track* t = stream < tracks_.size() ? &tracks_[stream] : nullptr;
      Instant(f, t, t ? t->last_ts_ns : last_ts_ns_);
    };
    for (auto& [stream, list] : at_end_)
      for (const auto* f : list) place(stream, *f);
    for (auto& [key, list] : at_event_)
      for (const auto* f : list) place(key.first, *f);
    json other = {{"ahtraceExportVersion", kChromeTraceExportVersion},
                  {"timeOriginUnixNs", origin_ns_},
                  {"tool", "ahtrace " AHTRACE_VERSION}};
    Write("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":" + JsonText(other) + "}\n");
  }

  bool failed() const { return failed_; }
  int error() const { return error_; }

  void OnStream(uint32_t stream, const StreamInfo& info) override {
    Track t;
    t.pid = info.pid;
    // The main thread's track takes the process id, as an OS lists it.
    t.tid = info.is_main_thread ? info.pid : info.thread_id;
    t.thread_ordinal = info.is_main_thread ? 0 : ++other_threads_[info.pid];
    tracks_.resize(std::max<size_t>(tracks_.size(), stream + 1));
    tracks_[stream] = t;
    if (named_processes_.insert(info.pid).second) {
      Emit(Meta("process_name", t).Json("args", {{"name", "pid " + std::to_string(info.pid)}}));
      Emit(Meta("process_sort_index", t).Json("args", {{"sort_index", named_processes_.size()}}));
    }
    Emit(Meta("thread_name", t).Json("args", {{"name", "thread " + std::to_string(info.thread_id)}}));
    Emit(Meta("thread_sort_index", t).Json("args", {{"sort_index", stream}}));
    ++summary_->streams;
  }

  void OnEvent(const Event& e) override {
    // A finding about the previous event is written now, after the model
    // applied that event: inside the callback it opened.
    FlushInstants();
    ++summary_->events;
    if (e.stream >= tracks_.size()) return;
    Track& t = tracks_[e.stream];
    // Never backwards on one track: a damaged trace with a time that goes
    // back would make an E precede its B.
    t.last_ts_ns = std::max(t.last_ts_ns, e.ts_ns - origin_ns_);
    last_ts_ns_ = std::max(last_ts_ns_, t.last_ts_ns);
    auto it = at_event_.find({e.stream, e.seq});
    if (it != at_event_.end()) {
      pending_ = std::move(it->second);
      pending_stream_ = e.stream;
      at_event_.erase(it);
    }
  }

  void OnInit(const Event& e, const Resource& r) override {
    if (r.stream >= tracks_.size() || r.synthetic) return;
    Track& t = tracks_[r.stream];
    if (t.lifetimes.count(r.key)) return;  // a second init of the same key: the first slice stays
    Lifetime& life = t.lifetimes[r.key];
    life.id = r.id;
    life.type = r.type;
    life.init_ts_ns = t.last_ts_ns;
    life.created_in_callback = !t.open.empty();
    Emit(EventLine()
             .Str("name", r.type)
             .Str("cat", r.type)
             .Str("ph", "b")
             .Time(t.last_ts_ns)
             .Int("pid", t.pid)
             .Int("tid", t.tid)
             .Json("id2", {{"local", LifetimeId(t.thread_ordinal, r.id)}})
             .Json("args", CreationArgs(r)));
  }

  void OnBefore(const Event& e, const Resource& r, const CallbackSpan& span) override {
    if (r.stream >= tracks_.size()) return;
    Track& t = tracks_[r.stream];
    t.open.push_back({span.key, r.type});
    ++summary_->callbacks;
    json args = CreationArgs(r);
    json stores = json::object();
    for (const auto& slot : r.stores)
      if (slot.store != kUndefinedStore) stores[StorageName(r.stream, slot.storage)] = StoreLabel(r.stream, slot.store);
    if (!stores.empty()) args["stores"] = stores;
    Emit(EventLine()
             .Str("name", r.type)
             .Str("cat", "callback")
             .Str("ph", "B")
             .Time(t.last_ts_ns)
             .Int("pid", t.pid)
             .Int("tid", t.tid)
             .Json("args", args));
    auto life = t.lifetimes.find(r.key);
    if (life != t.lifetimes.end() && life->second.created_in_callback) {
      // The edge from the callback that created this resource: `s` sits
      // in the creating callback at the init, `f` binds to this callback.
      uint64_t flow = ++summary_->flows;
      Emit(EventLine()
               .Str("name", r.type)
               .Str("cat", "trigger")
               .Str("ph", "s")
               .Time(life->second.init_ts_ns)
               .Int("pid", t.pid)
               .Int("tid", t.tid)
               .Int("id", static_cast<int64_t>(flow)));
      Emit(EventLine()
               .Str("name", r.type)
               .Str("cat", "trigger")
               .Str("ph", "f")
               .Str("bp", "e")
               .Time(t.last_ts_ns)
               .Int("pid", t.pid)
               .Int("tid", t.tid)
               .Int("id", static_cast<int64_t>(flow)));
    }
  }

  void OnAfter(const Event& e, const Resource& r, const CallbackSpan& span) override {
    if (r.stream >= tracks_.size()) return;
    Track& t = tracks_[r.stream];
    auto it = std::find_if(t.open.rbegin(), t.open.rend(), [&](const OpenCallback& c) { return c.key == span.key; });
    if (it == t.open.rend()) return;  // never opened here: nothing to close
    // Callbacks the model left open inside this one end with it, so the
    // slices stay nested whatever the trace did.
    size_t keep = static_cast<size_t>(t.open.rend() - it) - 1;
    CloseCallbacks(t, keep, false);
  }

  void OnDestroy(const Event& e, const Resource& r) override {
    if (r.stream >= tracks_.size()) return;
    Track& t = tracks_[r.stream];
    auto it = t.lifetimes.find(r.key);
    if (it == t.lifetimes.end()) return;
    EndLifetime(t, it->second, json::object());
    t.lifetimes.erase(it);
  }

  void OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                   const std::vector<CallbackSpan>& unfinished) override {
    if (stream >= tracks_.size()) return;
    FlushInstants();
    Track& t = tracks_[stream];
    CloseCallbacks(t, 0, true);
    for (auto& [key, life] : t.lifetimes) {
      json args = {{"aliveAtEnd", true}};
      if (leaked_.count({stream, life.id.value})) args["leaked"] = true;
      EndLifetime(t, life, args);
    }
    t.lifetimes.clear();
    auto end = at_end_.find(stream);
    if (end != at_end_.end()) {
      for (const auto* f : end->second) Instant(*f, &t, t.last_ts_ns);
      at_end_.erase(end);
    }
  }

  void OnStorageEvent(const Event& e, const StorageState& storage) override {
    // Every run(), enterWith() and getStore() comes here: the site is taken once.
    if (!storage.site.empty()) storage_sites_.try_emplace({e.stream, storage.id}, storage.site);
  }

 private:
  struct OpenCallback {
    uint64_t key;
    std::string_view type;
  };
  struct Lifetime {
    AsyncId id;
    std::string_view type;
    int64_t init_ts_ns = 0;
    bool created_in_callback = false;
  };
  struct Track {
    int64_t pid = 0, tid = 0;
    uint64_t thread_ordinal = 0;
    int64_t last_ts_ns = INT64_MIN;
    std::vector<OpenCallback> open;           // innermost last
    std::map<uint64_t, Lifetime> lifetimes;   // by resource key: creation order
  };

  static json CreationArgs(const Resource& r) {
    json args = {{"asyncId", r.id.value}, {"triggerAsyncId", r.trigger.value}};
    if (!r.site.empty()) args["site"] = r.site;
    return args;
  }

  EventLine Meta(const char* name, const Track& t) {
    EventLine line;
    line.Str("name", name).Str("ph", "M").Int("pid", t.pid).Int("tid", t.tid);
    return line;
  }

  void CloseCallbacks(Track& t, size_t keep, bool unfinished) {
    while (t.open.size() > keep) {
      EventLine line;
      line.Str("name", t.open.back().type).Str("cat", "callback").Str("ph", "E").Time(t.last_ts_ns).Int("pid", t.pid).Int("tid", t.tid);
      if (unfinished) line.Json("args", {{"unfinished", true}});
      Emit(line);
      t.open.pop_back();
    }
  }

  void EndLifetime(const Track& t, const Lifetime& life, const json& args) {
    EventLine line;
    line.Str("name", life.type)
        .Str("cat", life.type)
        .Str("ph", "e")
        .Time(t.last_ts_ns)
        .Int("pid", t.pid)
        .Int("tid", t.tid)
        .Json("id2", {{"local", LifetimeId(t.thread_ordinal, life.id)}});
    if (!args.empty()) line.Json("args", args);
    Emit(line);
  }

  void FlushInstants() {
    if (pending_.empty()) return;
    Track& t = tracks_[pending_stream_];
    for (const auto* f : pending_) Instant(*f, &t, t.last_ts_ns);
    pending_.clear();
  }

  // A finding on its thread's track, or global when the trace has no
  // stream for it.
  void Instant(const check::CheckFinding& f, const Track* t, int64_t ts_ns) {
    json args = {{"level", f.level}, {"message", f.title}, {"fingerprint", f.fingerprint}};
    if (!f.where.empty()) args["where"] = f.where.ToString();
    if (!f.break_site.empty()) args["brokeAt"] = f.break_site.ToString();
    if (f.read_async_id) args["asyncId"] = f.read_async_id;
    if (!f.details.empty()) args["details"] = f.details;
    if (!f.chain.empty()) args["chain"] = f.chain;
    if (!f.hint.empty()) args["fix"] = f.hint;
    EventLine line;
    line.Str("name", f.rule).Str("cat", "check").Str("ph", "i").Time(ts_ns == INT64_MIN ? 0 : ts_ns);
    if (t)
      line.Int("pid", t->pid).Int("tid", t->tid).Str("s", "t");
    else
      line.Int("pid", 0).Int("tid", 0).Str("s", "g");
    line.Json("args", args);
    Emit(line);
    ++summary_->findings;
  }

  std::string StorageName(uint32_t stream, StorageId storage) const {
    std::string name = "storage " + std::to_string(storage);
    auto it = storage_sites_.find({stream, storage});
    return it == storage_sites_.end() ? name : name + " (" + it->second + ")";
  }

  std::string StoreLabel(uint32_t stream, StoreId id) const {
    const auto& stores = reader_.stores(stream);
    if (id > 0 && static_cast<size_t>(id) < stores.size() && stores[id].id == id) return stores[id].label;
    return "store " + std::to_string(id);
  }

  void Emit(EventLine& line) {
    Write(summary_->written++ ? ",\n" : "\n");
    Write(line.Text());
  }
  void Emit(EventLine&& line) { Emit(line); }

  void Write(const std::string& s) {
    if (std::fwrite(s.data(), 1, s.size(), out_) != s.size() && !failed_) {
      failed_ = true;
      error_ = errno;
    }
  }

  FILE* out_;
  const TraceReader& reader_;
  int64_t origin_ns_;
  ChromeTraceSummary* summary_;
  bool failed_ = false;
  int error_ = 0;
  std::vector<Track> tracks_;
  std::set<int64_t> named_processes_;
  std::map<int64_t, uint64_t> other_threads_;  // pid -> threads other than the main one, so far
  std::map<std::pair<uint32_t, StorageId>, std::string> storage_sites_;
  int64_t last_ts_ns_ = INT64_MIN;
  // Findings by where they go; entries leave as they are written.
  std::map<std::pair<uint32_t, uint64_t>, std::vector<const check::CheckFinding*>> at_event_;
  std::map<uint32_t, std::vector<const check::CheckFinding*>> at_end_;
  std::set<std::pair<uint32_t, int64_t>> leaked_;
  std::vector<const check::CheckFinding*> pending_;
  uint32_t pending_stream_ = 0;
};

}  // namespace

std::string FormatMicroseconds(int64_t ns) {
  uint64_t magnitude = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%llu.%03llu", ns < 0 ? "-" : "", static_cast<unsigned long long>(magnitude / 1000),
                static_cast<unsigned long long>(magnitude % 1000));
  return buf;
}

Status ExportChromeTrace(const std::string& trace_path, const std::string& output, const ChromeTraceOptions& options,
                         ChromeTraceSummary* summary) {
  // Pass 1: check's findings (they go at the events they are about), and
  // the streams' time origins, known once every stream has been read.
  check::CheckReport report;
  int64_t origin_ns = INT64_MAX;
  {
    Status status;
    auto reader = OpenTrace(trace_path, &status);
    if (!reader) return status;
    if (options.progress) options.progress->SetPhase("checking");
    reader->set_progress(options.progress);
    check::CheckOptions check_options;
    check_options.leaks = true;
    if (options.findings) {
      status = check::RunCheck(*reader, check_options, nullptr, &report);
    } else {
      Event ev;
      while (reader->Next(&ev)) {
      }
      status = reader->status();
    }
    if (!status.ok()) return status;
    for (const auto& s : reader->streams()) origin_ns = std::min(origin_ns, s.time_origin_ns);
    if (origin_ns == INT64_MAX) origin_ns = 0;
  }

  // Pass 2: replay again and write as the model goes.
  Status status;
  auto reader = OpenTrace(trace_path, &status);
  if (!reader) return status;
  if (options.progress) options.progress->SetPhase("writing");
  reader->set_progress(options.progress);
  bool to_stdout = output == "-";
  std::string tmp = to_stdout ? std::string() : TemporaryPathFor(output);
  FILE* f = to_stdout ? stdout : std::fopen(tmp.c_str(), "wb");
  if (!f) return OutputError(output + ": cannot create " + tmp + ": " + IoErrorText(errno));
  ChromeTraceWriter writer(f, *reader, origin_ns, report.findings, summary);
  ReplaySummary replayed;
  status = Replay(*reader, &writer, &writer, &replayed);
  writer.Finish();
  return FinishStreamedOutput(f, tmp, output, status, writer.failed() ? (writer.error() ? writer.error() : EIO) : 0);
}

}  // namespace ahtrace
