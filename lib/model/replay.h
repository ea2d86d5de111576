// Replay: feeds every event of a trace through one AsyncModel per stream
// (process x thread: each has its own id space) and lets sinks observe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "model/async_model.h"
#include "trace/reader.h"

namespace ahtrace {

// Dispatches to several sinks in registration order.
class SinkFanout : public ModelSink {
 public:
  void Add(ModelSink* sink) { sinks_.push_back(sink); }
  void OnInit(const Event& e, const Resource& r) override;
  void OnBefore(const Event& e, const Resource& r, const CallbackSpan& s) override;
  void OnAfter(const Event& e, const Resource& r, const CallbackSpan& s) override;
  void OnDestroy(const Event& e, const Resource& r) override;
  void OnPromiseResolve(const Event& e, const Resource& r, const Resource& current) override;
  void OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) override;
  void OnStorageEvent(const Event& e, const StorageState& s) override;
  void OnGetStore(const Event& e, StoreId expected, const Resource& current) override;
  void OnContextEvent(const Event& e, const Resource& current) override;
  void OnFinding(const Finding& f) override;
  void OnForget(const Resource& r) override;
  void OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                   const std::vector<CallbackSpan>& unfinished) override;

 private:
  std::vector<ModelSink*> sinks_;
};

// Sinks that also want each raw event (before the model applies it) and the
// stream table implement this too.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnStream(uint32_t stream, const StreamInfo& info) {}
  virtual void OnEvent(const Event& e) {}
};

struct ReplaySummary {
  uint64_t events = 0;
  uint64_t findings = 0;
  uint64_t read_problems = 0;
  size_t streams = 0;
  size_t peak_live_resources = 0;
  // recorder-failed, empty-stream and stream-cut-short findings: parts of
  // the program the trace does not show.
  uint64_t blind_spots = 0;
};

// Replays the whole trace. Problems in the trace become findings, and so
// does whatever the trace could not see (ReportBlindSpots); a non-ok status
// means the trace could not be read at all.
Status Replay(TraceReader& reader, ModelSink* sink, EventSink* event_sink, ReplaySummary* summary);

}  // namespace ahtrace
