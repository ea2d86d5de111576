#include "model/replay.h"

#include "trace/recorder_stop.h"

#include <filesystem>
#include <memory>
#include <string>

namespace ahtrace {

#define AHTRACE_FANOUT(call) \
  for (auto* s : sinks_) s->call
void SinkFanout::OnInit(const Event& e, const Resource& r) { AHTRACE_FANOUT(OnInit(e, r)); }
void SinkFanout::OnBefore(const Event& e, const Resource& r, const CallbackSpan& sp) { AHTRACE_FANOUT(OnBefore(e, r, sp)); }
void SinkFanout::OnAfter(const Event& e, const Resource& r, const CallbackSpan& sp) { AHTRACE_FANOUT(OnAfter(e, r, sp)); }
void SinkFanout::OnDestroy(const Event& e, const Resource& r) { AHTRACE_FANOUT(OnDestroy(e, r)); }
void SinkFanout::OnPromiseResolve(const Event& e, const Resource& r, const Resource& cur) {
  AHTRACE_FANOUT(OnPromiseResolve(e, r, cur));
}
void SinkFanout::OnStoreSet(const Event* e, const Resource& r, StorageId st, StoreId v, StoreCause c) {
  AHTRACE_FANOUT(OnStoreSet(e, r, st, v, c));
}
void SinkFanout::OnStorageEvent(const Event& e, const StorageState& st) { AHTRACE_FANOUT(OnStorageEvent(e, st)); }
void SinkFanout::OnGetStore(const Event& e, StoreId expected, const Resource& cur) {
  AHTRACE_FANOUT(OnGetStore(e, expected, cur));
}
void SinkFanout::OnContextEvent(const Event& e, const Resource& cur) { AHTRACE_FANOUT(OnContextEvent(e, cur)); }
void SinkFanout::OnFinding(const Finding& f) { AHTRACE_FANOUT(OnFinding(f)); }
void SinkFanout::OnForget(const Resource& r) { AHTRACE_FANOUT(OnForget(r)); }
void SinkFanout::OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                             const std::vector<CallbackSpan>& unfinished) {
  AHTRACE_FANOUT(OnStreamEnd(stream, alive, unfinished));
}
#undef AHTRACE_FANOUT

namespace {
// A stream's node major version; 20 (the oldest line ahtrace reads) when
// the header does not say.
int NodeMajor(const std::string& version) {
  int major = NodeMajorVersion(version);
  return major < 0 ? 20 : major;
}

std::string StreamName(const StreamInfo& s) {
  return "pid " + std::to_string(s.pid) + " thread " + std::to_string(s.thread_id) + " (" +
         std::filesystem::path(s.path).filename().string() + ", node " + s.node_version + ")";
}

// Never a silent green: a process whose recorder failed, a stream with no
// events and a stream without its end record are error findings, so that a
// verdict is never drawn from a trace that silently lacks part of the
// program. (A worker ended by terminate() gets its end record from the
// thread that created it; SIGKILL and crashes leave none.)
void ReportBlindSpots(const TraceReader& reader, ModelSink* sink, ReplaySummary* summary) {
  auto report = [&](uint32_t stream, const char* kind, std::string message) {
    ++summary->findings;
    ++summary->blind_spots;
    if (!sink) return;
    Finding f;
    f.kind = kind;
    f.severity = Severity::kError;
    f.stream = stream;
    f.message = std::move(message);
    sink->OnFinding(f);
  };
  const auto& streams = reader.streams();
  const auto& failures = reader.recorder_failures();
  // A marker beside a stream that has no clean end says why (the recorder
  // stopped: a full disk, a bug of ours): said with that stream's finding,
  // instead of blaming a kill.
  auto stop_of = [&](const StreamInfo& s) -> const RecorderFailure* {
    return s.ended_cleanly ? nullptr : FindRecorderFailure(failures, s.pid, s.thread_id);
  };
  for (const auto& failure : failures) {
    bool said_with_stream = false;
    for (const auto& s : streams) said_with_stream = said_with_stream || stop_of(s) == &failure;
    if (said_with_stream) continue;
    report(0, finding_kind::kRecorderFailed,
           "pid " + std::to_string(failure.pid) + " thread " + std::to_string(failure.thread_id) +
               (failure.node_version.empty() ? "" : " (node " + failure.node_version + ")") +
               " was not recorded: " + RecorderFailureReason(failure));
  }
  for (uint32_t i = 0; i < streams.size(); ++i) {
    const StreamInfo& s = streams[i];
    const RecorderFailure* stop = stop_of(s);
    if (s.events == 0) {
      report(i, finding_kind::kEmptyStream,
             StreamName(s) + " holds no events: " +
                 (stop ? RecorderFailureReason(*stop)
                       : "the process started recording and wrote nothing more (killed before its first flush, or "
                         "its recorder stopped)"));
    }
    if (s.first_segment > 0 || s.missing_segments > 0) {
      std::string what = s.first_segment > 0 ? "its first " + std::to_string(s.first_segment) +
                                                   " segment(s) were deleted (`record --max-size` keeps the newest)"
                                             : "";
      if (s.missing_segments > 0)
        what += (what.empty() ? "" : ", and ") + std::to_string(s.missing_segments) + " later segment(s) are missing";
      report(i, finding_kind::kDataDropped,
             StreamName(s) + " is read from segment " + std::to_string(s.first_segment) + ": " + what +
                 "; what the process did in them, and the resources, stores and storages made there, are unknown");
    }
    if (s.events > 0 && !s.ended_cleanly && s.format != "node-trace-events") {  // node's own log has no end record
      report(i, finding_kind::kStreamCutShort,
             StreamName(s) + " ends without its end record after " + std::to_string(s.events) + " events: " +
                 (stop ? RecorderFailureReason(*stop)
                       : "the process was killed (SIGKILL, a crash) or its recorder stopped, and what it did after "
                         "its last flush is missing"));
    }
  }
}
}  // namespace

Status Replay(TraceReader& reader, ModelSink* sink, EventSink* event_sink, ReplaySummary* summary) {
  uint64_t next_resource_key = 0, next_span_key = 0;
  std::vector<std::unique_ptr<AsyncModel>> models;
  size_t streams_announced = 0;
  reader.set_problem_callback([&](const ReadProblem& p) {
    ++summary->read_problems;
    ++summary->findings;
    if (!sink) return;
    Finding f;
    f.kind = finding_kind::kBadRecord;
    f.severity = Severity::kError;
    f.stream = reader.streams().empty() ? 0 : static_cast<uint32_t>(reader.streams().size() - 1);
    f.location = p.location;
    f.message = p.Where() + ": " + p.message;
    sink->OnFinding(f);
  });
  auto announce = [&]() {
    while (streams_announced < reader.streams().size()) {
      uint32_t index = static_cast<uint32_t>(streams_announced++);
      if (event_sink) event_sink->OnStream(index, reader.streams()[index]);
      models.push_back(std::make_unique<AsyncModel>(index, &next_resource_key, &next_span_key, sink));
      const StreamInfo& info = reader.streams()[index];
      models.back()->SetRuntime(info.async_context_frame, NodeMajor(info.node_version), info.hook_events,
                                info.runtime);
      models.back()->SetJoinedLate(info.first_segment > 0);
    }
  };
  Event ev;
  uint32_t current_stream = UINT32_MAX;
  while (reader.Next(&ev)) {
    announce();
    // Binary traces hold one stream after another: finish each as soon as
    // the next begins, so its memory is released early.
    if (ev.stream != current_stream && current_stream != UINT32_MAX &&
        reader.streams()[current_stream].format == "binary" && models[current_stream]) {
      models[current_stream]->Finish();
      summary->findings += models[current_stream]->findings();
      models[current_stream].reset();
    }
    current_stream = ev.stream;
    ++summary->events;
    if (event_sink) event_sink->OnEvent(ev);
    AsyncModel* model = models[ev.stream].get();
    if (!model) continue;  // an NDJSON stream interleaved after its end
    model->Apply(ev);
    summary->peak_live_resources = std::max(summary->peak_live_resources, model->live_resources());
  }
  announce();
  for (auto& m : models) {
    if (!m) continue;
    m->Finish();
    summary->findings += m->findings();
  }
  summary->streams = reader.streams().size();
  if (uint64_t more = reader.unreported_problems()) {
    summary->read_problems += more;
    ++summary->findings;
    if (sink) {
      Finding f;
      f.kind = finding_kind::kBadRecord;
      f.message = "and " + std::to_string(more) + " more records that could not be read, not listed (the first " +
                  std::to_string(TraceReader::kMaxReportedProblems) + " are)";
      sink->OnFinding(f);
    }
  }
  if (reader.status().ok()) ReportBlindSpots(reader, sink, summary);
  return reader.status();
}

}  // namespace ahtrace
