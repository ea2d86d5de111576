#include "model/replay.h"

#include <memory>

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
void SinkFanout::OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                             const std::vector<CallbackSpan>& unfinished) {
  AHTRACE_FANOUT(OnStreamEnd(stream, alive, unfinished));
}
#undef AHTRACE_FANOUT

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
      if (reader.streams()[index].async_context_frame) models.back()->SetAsyncContextFrame(true);
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
  return reader.status();
}

}  // namespace ahtrace
