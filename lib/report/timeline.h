// The report's timeline: one row per stream (process x thread), time left
// to right, each stretch coloured by the store the running callback had.
//
// TimelineCollector is a ModelSink. It attributes every nanosecond between
// a callback's before and after to the innermost callback running (a
// nested callback interrupts its parent's stretch), and adds it to a fixed
// number of time buckets per row whose width doubles whenever the row
// outgrows them: memory is bounded per stream (kFineBuckets buckets of a
// few stores each), never per callback, so a trace of a whole test run
// costs what a small one does. TimelineSvg re-bins the rows onto one
// shared time axis and draws each bucket in the colour of the store that
// ran longest in it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/async_model.h"
#include "trace/reader.h"

namespace ahtrace::report {

class TimelineCollector : public ModelSink {
 public:
  static constexpr size_t kFineBuckets = 1024;
  static constexpr size_t kStoresPerBucket = 3;  // the longest-running ones; the rest count as "other"

  void OnBefore(const Event& e, const Resource& r, const CallbackSpan& span) override;
  void OnAfter(const Event& e, const Resource& r, const CallbackSpan& span) override;
  // run() and its restore change the store of the running callback mid-way.
  void OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) override;
  void OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                   const std::vector<CallbackSpan>& unfinished) override;

  // Time under one store (kUndefinedStore: callbacks with none); store
  // kOtherStores gathers what did not fit in a bucket's slots.
  static constexpr StoreId kOtherStores = UINT32_MAX;
  struct StoreTime {
    StoreId store = 0;
    int64_t ns = 0;
  };
  struct Bucket {
    uint64_t callbacks = 0;  // callbacks that began in it
    std::array<StoreTime, kStoresPerBucket + 1> time{};  // last slot: kOtherStores
    void Add(StoreId store, int64_t ns);
  };
  struct Row {
    uint32_t stream = 0;
    int64_t origin_ns = 0;   // start of bucket 0 (the row's first callback)
    int64_t width_ns = 1000; // bucket width, doubled as the row grows
    int64_t end_ns = 0;      // end of its last stretch
    uint64_t callbacks = 0;
    std::vector<Bucket> buckets;
    // The innermost callback running: its store and where its current
    // stretch began; the stack holds the stores of the callbacks it interrupted.
    std::vector<StoreId> running;
    std::vector<uint64_t> running_keys;  // their resources
    int64_t stretch_start_ns = 0;
  };
  // Rows by stream index; only streams that ran a callback.
  const std::map<uint32_t, Row>& rows() const { return rows_; }

 private:
  void AddStretch(Row& row, StoreId store, int64_t from_ns, int64_t to_ns);
  size_t BucketFor(Row& row, int64_t ts_ns);
  std::map<uint32_t, Row> rows_;
  // Per stream, the storage whose stores colour its row: the
  // lowest-numbered one seen so far.
  std::map<uint32_t, StorageId> colour_storage_;
};

struct TimelineOptions {
  size_t columns = 240;     // time buckets drawn per row
  size_t max_rows = 40;     // streams drawn; the busiest, in stream order
  size_t max_legend = 16;   // store labels listed under the picture
};

// The timeline as an inline <svg> element and its legend (HTML), every
// trace string escaped. Deterministic: same collector, same bytes.
std::string TimelineHtml(const TimelineCollector& timeline, const TraceReader& reader, const TimelineOptions& options);

}  // namespace ahtrace::report
