#include "sinks/stats.h"

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <unordered_map>

#include "common/utf8.h"
#include "trace/recorder_stop.h"

namespace ahtrace {

Status ComputeStats(TraceReader& reader, TraceStats* out) {
  TraceStats& s = *out;
  for (const char* k : {"init", "before", "after", "destroy", "promiseResolve"}) s.events_by_kind[k] = 0;
  reader.set_problem_callback([&](const ReadProblem& p) {
    if (s.first_problems.size() < 20) s.first_problems.push_back(p);
  });
  // Live resources per stream: memory follows what is alive, not trace length.
  std::vector<std::unordered_map<int64_t, std::string_view>> live;
  std::set<std::pair<uint32_t, int64_t>> storages;
  // Counted by kind number and by the reader's own type strings (they live
  // as long as the reader): no name lookup or string made per event.
  std::array<uint64_t, 256> by_kind{};
  std::unordered_map<std::string_view, TypeStats> types;
  Event ev;
  while (reader.Next(&ev)) {
    ++s.total_events;
    ++by_kind[static_cast<uint32_t>(ev.kind) & 0xff];
    if (s.total_events == 1 || ev.ts_ns < s.first_ts_ns) s.first_ts_ns = ev.ts_ns;
    if (s.total_events == 1 || ev.ts_ns > s.last_ts_ns) s.last_ts_ns = ev.ts_ns;
    if (live.size() <= ev.stream) live.resize(ev.stream + 1);
    switch (ev.kind) {
      case EventKind::kInit: {
        ++types[ev.type].created;
        live[ev.stream][ev.async_id.value] = ev.type;
        break;
      }
      case EventKind::kDestroy: {
        auto it = live[ev.stream].find(ev.async_id.value);
        if (it != live[ev.stream].end()) {
          ++types[it->second].destroyed;
          live[ev.stream].erase(it);
        }
        break;
      }
      case EventKind::kAlsCreate:
        storages.insert({ev.stream, ev.storage});
        break;
      case EventKind::kAlsGetStore:
        ++s.get_store_calls;
        if (ev.store == kUndefinedStore) ++s.get_store_undefined;
        break;
      default:
        break;
    }
  }
  if (!reader.status().ok()) return reader.status();
  for (auto& per_stream : live) {
    for (auto& [id, type] : per_stream) ++types[type].alive_at_end;
    s.never_destroyed += per_stream.size();
  }
  for (const auto& [type, counts] : types) {
    TypeStats& t = s.types[std::string(type)];
    t.created += counts.created;
    t.destroyed += counts.destroyed;
    t.alive_at_end += counts.alive_at_end;
  }
  for (uint32_t kind = 0; kind < by_kind.size(); ++kind) {
    if (by_kind[kind] == 0) continue;
    const char* name = EventKindName(static_cast<EventKind>(kind));
    s.events_by_kind[name ? name : "unknown"] += by_kind[kind];
  }
  s.storages = storages.size();
  s.streams = reader.streams();
  s.recorder_failures = reader.recorder_failures();
  s.problems = reader.problem_count();
  return Status::Ok();
}

namespace {

// Why a stream has no clean end when its recorder said so (a marker beside
// it: a full disk, a recorder bug); empty when nothing was said (a kill, a
// crash, or a process still running).
std::string StopReason(const TraceStats& s, const StreamInfo& stream) {
  if (stream.ended_cleanly) return {};
  const RecorderFailure* stop = FindRecorderFailure(s.recorder_failures, stream.pid, stream.thread_id);
  return stop ? RecorderFailureReason(*stop) : std::string();
}

bool HasStream(const TraceStats& s, const RecorderFailure& f) {
  for (const auto& st : s.streams)
    if (st.pid == f.pid && st.thread_id == f.thread_id) return true;
  return false;
}

}  // namespace

nlohmann::json StatsToJson(const TraceStats& s) {
  using json = nlohmann::json;
  json j;
  j["formatVersion"] = s.streams.empty() ? 0 : s.streams.front().format_version;
  std::set<std::string> versions;
  for (const auto& st : s.streams) versions.insert(st.node_version);
  j["nodeVersions"] = versions;
  json streams = json::array();
  for (const auto& st : s.streams) {
    streams.push_back({{"path", st.path},
                       {"pid", st.pid},
                       {"ppid", st.ppid},
                       {"threadId", st.thread_id},
                       {"isMainThread", st.is_main_thread},
                       {"node", st.node_version},
                       {"events", st.events},
                       {"endedCleanly", st.ended_cleanly},
                       {"exitCode", st.ended_cleanly ? json(st.exit_code) : json(nullptr)}});
    std::string stop = StopReason(s, st);
    streams.back()["stopReason"] = stop.empty() ? json(nullptr) : json(stop);
    streams.back()["firstSegment"] = st.first_segment;
    streams.back()["segments"] = st.segments;
    streams.back()["missingSegments"] = st.missing_segments;
  }
  j["streams"] = streams;
  json failures = json::array();
  for (const auto& f : s.recorder_failures) {
    if (HasStream(s, f)) continue;  // said as the stream's stopReason
    std::string code = RecorderFailureCode(f);
    failures.push_back({{"pid", f.pid},
                        {"threadId", f.thread_id},
                        {"code", code.empty() ? json(nullptr) : json(code)},
                        {"reason", RecorderFailureReason(f)}});
  }
  j["notRecorded"] = failures;
  std::set<int64_t> pids;
  for (const auto& st : s.streams) pids.insert(st.pid);
  j["processes"] = pids.size();
  j["threads"] = s.streams.size();
  j["events"] = s.events_by_kind;
  j["totalEvents"] = s.total_events;
  json types = json::object();
  for (const auto& [name, t] : s.types)
    types[name] = {{"created", t.created}, {"destroyed", t.destroyed}, {"aliveAtEnd", t.alive_at_end}};
  j["types"] = types;
  j["neverDestroyed"] = s.never_destroyed;
  j["timeSpan"] = {{"startNs", s.first_ts_ns},
                   {"endNs", s.last_ts_ns},
                   {"durationMs", static_cast<double>(s.last_ts_ns - s.first_ts_ns) / 1e6}};
  j["asyncLocalStorage"] = {{"storages", s.storages},
                            {"getStoreCalls", s.get_store_calls},
                            {"getStoreUndefined", s.get_store_undefined}};
  j["problems"] = s.problems;
  return j;
}

std::string StatsToText(const TraceStats& s) {
  std::string out;
  char line[512];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  std::set<int64_t> pids;
  for (const auto& st : s.streams) pids.insert(st.pid);
  add("trace format version %u\n", s.streams.empty() ? 0u : s.streams.front().format_version);
  add("%zu process(es), %zu stream(s) (process x thread)\n", pids.size(), s.streams.size());
  for (const auto& st : s.streams) {
    std::string stop = StopReason(s, st);
    std::string end = st.ended_cleanly ? "exit " + std::to_string(st.exit_code)
                      : stop.empty()   ? "no clean end (killed, or still running)"
                                       : "no clean end: " + TerminalSafe(stop);
    add("  pid %" PRId64 " thread %" PRId64 "  node %s  %" PRIu64 " events  ", st.pid, st.thread_id,
        TerminalSafe(st.node_version).c_str(), st.events);
    out += end;  // not through `line`: a reason can be longer
    if (st.first_segment > 0 || st.missing_segments > 0)
      out += "  (read from segment " + std::to_string(st.first_segment) + ": the older ones were deleted by --max-size" +
             (st.missing_segments ? ", " + std::to_string(st.missing_segments) + " later ones are missing" : "") + ")";
    out += "\n";
  }
  for (const auto& f : s.recorder_failures) {
    if (HasStream(s, f)) continue;
    out += "  pid " + std::to_string(f.pid) + " thread " + std::to_string(f.thread_id) +
           "  not recorded: " + TerminalSafe(RecorderFailureReason(f)) + "\n";
  }
  add("time span: %.3f ms\n", static_cast<double>(s.last_ts_ns - s.first_ts_ns) / 1e6);
  add("events: %" PRIu64 "\n", s.total_events);
  for (const auto& [kind, n] : s.events_by_kind) add("  %-16s %12" PRIu64 "\n", TerminalSafe(kind).c_str(), n);
  add("resource types: %zu\n", s.types.size());
  add("  %-28s %10s %10s %10s\n", "type", "created", "destroyed", "alive");
  std::vector<std::pair<std::string, TypeStats>> types(s.types.begin(), s.types.end());
  std::stable_sort(types.begin(), types.end(),
                   [](const auto& a, const auto& b) { return a.second.created > b.second.created; });
  for (const auto& [name, t] : types)
    add("  %-28s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", TerminalSafe(name).c_str(), t.created, t.destroyed,
        t.alive_at_end);
  add("never destroyed: %" PRIu64 " resource(s) (promises are destroyed only by GC)\n", s.never_destroyed);
  add("AsyncLocalStorage: %" PRIu64 " storage(s), %" PRIu64 " getStore() call(s), %" PRIu64 " returned undefined\n",
      s.storages, s.get_store_calls, s.get_store_undefined);
  if (s.problems) {
    add("problems: %" PRIu64 " (first ones below)\n", s.problems);
    for (const auto& p : s.first_problems) out += "  " + TerminalSafe(p.Where() + ": " + p.message) + "\n";
  }
  return out;
}

}  // namespace ahtrace
