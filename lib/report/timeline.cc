#include "report/timeline.h"

#include <algorithm>
#include <cstdio>

#include "common/html.h"
#include "graph/graph.h"

namespace ahtrace::report {

void TimelineCollector::Bucket::Add(StoreId store, int64_t ns) {
  if (ns <= 0) return;
  StoreTime* free_slot = nullptr;
  for (size_t i = 0; i < kStoresPerBucket; ++i) {
    if (time[i].ns > 0 && time[i].store == store) {
      time[i].ns += ns;
      return;
    }
    if (time[i].ns == 0 && !free_slot) free_slot = &time[i];
  }
  if (free_slot) {
    *free_slot = {store, ns};
    return;
  }
  time[kStoresPerBucket].store = kOtherStores;
  time[kStoresPerBucket].ns += ns;
}

size_t TimelineCollector::BucketFor(Row& row, int64_t ts_ns) {
  int64_t offset = std::max<int64_t>(ts_ns - row.origin_ns, 0);
  while (offset / row.width_ns >= static_cast<int64_t>(kFineBuckets)) {
    // Twice as wide: bucket i takes 2i and 2i+1.
    std::vector<Bucket> merged((row.buckets.size() + 1) / 2);
    for (size_t i = 0; i < row.buckets.size(); ++i) {
      Bucket& to = merged[i / 2];
      const Bucket& from = row.buckets[i];
      to.callbacks += from.callbacks;
      for (const StoreTime& t : from.time)
        if (t.ns > 0) to.Add(t.store, t.ns);
    }
    row.buckets = std::move(merged);
    row.width_ns *= 2;
  }
  size_t index = static_cast<size_t>(offset / row.width_ns);
  if (index >= row.buckets.size()) row.buckets.resize(index + 1);
  return index;
}

void TimelineCollector::AddStretch(Row& row, StoreId store, int64_t from_ns, int64_t to_ns) {
  while (from_ns < to_ns) {
    size_t index = BucketFor(row, from_ns);
    int64_t bucket_end = row.origin_ns + static_cast<int64_t>(index + 1) * row.width_ns;
    int64_t until = std::min(to_ns, bucket_end);
    row.buckets[index].Add(store, until - from_ns);
    from_ns = until;
  }
  row.end_ns = std::max(row.end_ns, to_ns);
}

void TimelineCollector::OnBefore(const Event& e, const Resource& r, const CallbackSpan& span) {
  auto [it, fresh] = rows_.try_emplace(e.stream);
  Row& row = it->second;
  if (fresh) {
    row.stream = e.stream;
    row.origin_ns = e.ts_ns;
  }
  if (!row.running.empty()) AddStretch(row, row.running.back(), row.stretch_start_ns, e.ts_ns);
  auto colouring = colour_storage_.find(e.stream);
  row.running.push_back(colouring != colour_storage_.end() ? r.StoreFor(colouring->second) : kUndefinedStore);
  row.running_keys.push_back(r.key);
  row.stretch_start_ns = std::max(e.ts_ns, row.origin_ns);
  ++row.buckets[BucketFor(row, row.stretch_start_ns)].callbacks;
  ++row.callbacks;
}

void TimelineCollector::OnAfter(const Event& e, const Resource& r, const CallbackSpan& span) {
  auto it = rows_.find(e.stream);
  if (it == rows_.end() || it->second.running.empty()) return;
  Row& row = it->second;
  int64_t now = std::max(e.ts_ns, row.stretch_start_ns);
  AddStretch(row, row.running.back(), row.stretch_start_ns, now);
  row.running.pop_back();
  row.running_keys.pop_back();
  row.stretch_start_ns = now;  // the interrupted callback goes on from here
}

void TimelineCollector::OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store,
                                   StoreCause cause) {
  StorageId& colouring = colour_storage_[r.stream];
  if (colouring == 0 || storage < colouring) colouring = storage;
  auto it = rows_.find(r.stream);
  if (it == rows_.end()) return;
  Row& row = it->second;
  if (storage != colouring || !e || row.running_keys.empty() || row.running_keys.back() != r.key) return;
  if (cause != StoreCause::kRun && cause != StoreCause::kRunRestore && cause != StoreCause::kEnterWith) return;
  // The running callback's store changes here: close its stretch.
  int64_t now = std::max(e->ts_ns, row.stretch_start_ns);
  AddStretch(row, row.running.back(), row.stretch_start_ns, now);
  row.running.back() = store;
  row.stretch_start_ns = now;
}

void TimelineCollector::OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                                    const std::vector<CallbackSpan>& unfinished) {
  // Callbacks still running at the end (process.exit() inside one) end
  // where the row's last stretch did.
  auto it = rows_.find(stream);
  if (it == rows_.end()) return;
  it->second.running.clear();
  it->second.running_keys.clear();
}

namespace {

constexpr const char* kNoStoreColour = "#c8c8c8";    // callbacks that ran with no store
constexpr const char* kOtherStoreColour = "#8c8c8c"; // a bucket's stores beyond its slots

const char* ColourOf(StoreId store) {
  if (store == TimelineCollector::kOtherStores) return kOtherStoreColour;
  if (store == kUndefinedStore) return kNoStoreColour;
  return graph::StoreFillColour(store);
}

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f" : ms < 1000 ? "%.1f" : "%.0f", ms);
  return buf;
}

std::string StreamName(const StreamInfo& info) {
  return "pid " + std::to_string(info.pid) +
         (info.is_main_thread ? std::string(" main") : " thread " + std::to_string(info.thread_id));
}

// One drawn cell: time per store, and the callbacks that began in it.
struct Cell {
  std::map<StoreId, int64_t> ns;
  uint64_t callbacks = 0;
};

}  // namespace

std::string TimelineHtml(const TimelineCollector& timeline, const TraceReader& reader, const TimelineOptions& options) {
  const auto& rows = timeline.rows();
  std::vector<const TimelineCollector::Row*> drawn;
  for (const auto& [stream, row] : rows)
    if (row.callbacks > 0) drawn.push_back(&row);
  if (drawn.empty()) return "<p class=\"empty\">No callback ran in the recorded streams.</p>\n";
  size_t hidden_rows = 0;
  uint64_t hidden_callbacks = 0;
  if (drawn.size() > options.max_rows) {
    // The busiest rows (ties: the earlier stream), drawn in stream order.
    std::vector<const TimelineCollector::Row*> busiest = drawn;
    std::stable_sort(busiest.begin(), busiest.end(),
                     [](const auto* a, const auto* b) { return a->callbacks > b->callbacks; });
    for (size_t i = options.max_rows; i < busiest.size(); ++i) {
      ++hidden_rows;
      hidden_callbacks += busiest[i]->callbacks;
    }
    busiest.resize(options.max_rows);
    std::sort(busiest.begin(), busiest.end(), [](const auto* a, const auto* b) { return a->stream < b->stream; });
    drawn = busiest;
  }
  int64_t start = INT64_MAX, end = INT64_MIN;
  for (const auto* row : drawn) {
    start = std::min(start, row->origin_ns);
    end = std::max(end, std::max(row->end_ns, row->origin_ns + 1));
  }
  const size_t columns = std::max<size_t>(options.columns, 1);
  const double column_ns = static_cast<double>(end - start) / static_cast<double>(columns);

  constexpr int kLabelWidth = 170, kColumnWidth = 4, kRowHeight = 18, kAxisHeight = 22;
  const int width = kLabelWidth + static_cast<int>(columns) * kColumnWidth + 10;
  const int height = static_cast<int>(drawn.size()) * kRowHeight + kAxisHeight;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    std::to_string(height) + "\" role=\"img\" aria-label=\"callbacks per thread over time, coloured by store\">\n";
  std::map<std::pair<uint32_t, StoreId>, int64_t> legend_time;  // (stream, store) -> ns
  for (size_t r = 0; r < drawn.size(); ++r) {
    const auto& row = *drawn[r];
    int y = static_cast<int>(r) * kRowHeight;
    const StreamInfo* info = row.stream < reader.streams().size() ? &reader.streams()[row.stream] : nullptr;
    std::string name = info ? StreamName(*info) : "stream " + std::to_string(row.stream);
    svg += "<text x=\"4\" y=\"" + std::to_string(y + 13) + "\" class=\"row-label\">" + HtmlEscape(name) + " (" +
           std::to_string(row.callbacks) + ")</text>\n";
    svg += "<rect x=\"" + std::to_string(kLabelWidth) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
           std::to_string(columns * kColumnWidth) + "\" height=\"" + std::to_string(kRowHeight - 4) +
           "\" class=\"row-bg\"/>\n";
    std::vector<Cell> cells(columns);
    for (size_t i = 0; i < row.buckets.size(); ++i) {
      const auto& b = row.buckets[i];
      double mid = static_cast<double>(row.origin_ns - start) + (static_cast<double>(i) + 0.5) * static_cast<double>(row.width_ns);
      size_t c = std::min(columns - 1, static_cast<size_t>(std::max(0.0, mid / column_ns)));
      cells[c].callbacks += b.callbacks;
      for (const auto& t : b.time)
        if (t.ns > 0) {
          cells[c].ns[t.store] += t.ns;
          if (t.store != TimelineCollector::kOtherStores) legend_time[{row.stream, t.store}] += t.ns;
        }
    }
    // A run of cells with the same store and height is one rectangle;
    // its tooltip says what the run holds.
    size_t c = 0;
    while (c < columns) {
      const Cell& cell = cells[c];
      if (cell.ns.empty() && cell.callbacks == 0) {
        ++c;
        continue;
      }
      auto dominant = [&](const Cell& x, int64_t* busy) {
        StoreId best = kUndefinedStore;
        int64_t best_ns = -1;
        *busy = 0;
        for (const auto& [store, ns] : x.ns) {
          *busy += ns;
          if (ns > best_ns) best = store, best_ns = ns;
        }
        return best;
      };
      // Height: the share of the column's time spent in callbacks, at
      // least a third so that a short callback stays visible.
      auto level = [&](int64_t busy) {
        double share = column_ns > 0 ? static_cast<double>(busy) / column_ns : 1.0;
        return std::clamp(static_cast<int>(share * 3.0 + 0.999), 1, 3);
      };
      int64_t busy;
      StoreId store = dominant(cell, &busy);
      int lvl = level(busy);
      size_t run_end = c + 1;
      uint64_t callbacks = cell.callbacks;
      int64_t run_busy = busy;
      while (run_end < columns) {
        int64_t next_busy;
        const Cell& next = cells[run_end];
        if (next.ns.empty() && next.callbacks == 0) break;
        if (dominant(next, &next_busy) != store || level(next_busy) != lvl) break;
        callbacks += next.callbacks;
        run_busy += next_busy;
        ++run_end;
      }
      int bar = (kRowHeight - 4) * lvl / 3;
      double from_ms = static_cast<double>(c) * column_ns / 1e6, to_ms = static_cast<double>(run_end) * column_ns / 1e6;
      std::string store_name = store == kUndefinedStore                  ? "no store"
                               : store == TimelineCollector::kOtherStores ? "other stores"
                                                                          : "store " + std::to_string(store);
      svg += "<rect x=\"" + std::to_string(kLabelWidth + static_cast<int>(c) * kColumnWidth) + "\" y=\"" +
             std::to_string(y + 2 + (kRowHeight - 4) - bar) + "\" width=\"" +
             std::to_string(static_cast<int>(run_end - c) * kColumnWidth) + "\" height=\"" + std::to_string(bar) +
             "\" fill=\"" + ColourOf(store) + "\"><title>" + Ms(from_ms) + "-" + Ms(to_ms) + " ms: " +
             std::to_string(callbacks) + " callback(s) began, " + Ms(static_cast<double>(run_busy) / 1e6) +
             " ms in callbacks, mostly " + store_name + "</title></rect>\n";
      c = run_end;
    }
  }
  int axis_y = static_cast<int>(drawn.size()) * kRowHeight + 14;
  for (int tick = 0; tick <= 4; ++tick) {
    int x = kLabelWidth + static_cast<int>(columns) * kColumnWidth * tick / 4;
    svg += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(axis_y) + "\" class=\"axis\"" +
           (tick == 4 ? " text-anchor=\"end\"" : tick ? " text-anchor=\"middle\"" : "") + ">" +
           Ms(static_cast<double>(end - start) * tick / 4 / 1e6) + " ms</text>\n";
  }
  svg += "</svg>\n";

  std::string html = "<div class=\"timeline-frame\" id=\"timeline-picture\">\n" + svg + "</div>\n";
  if (hidden_rows)
    html += "<p class=\"more\">and " + std::to_string(hidden_rows) + " more thread(s) with " +
            std::to_string(hidden_callbacks) + " callback(s), not drawn (the " + std::to_string(options.max_rows) +
            " busiest are)</p>\n";
  // Legend: no store, then the stores that ran longest (stream order on ties).
  std::vector<std::pair<std::pair<uint32_t, StoreId>, int64_t>> stores(legend_time.begin(), legend_time.end());
  std::stable_sort(stores.begin(), stores.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  html += "<ul class=\"legend\">\n<li><span class=\"swatch\" style=\"background:" + std::string(kNoStoreColour) +
          "\"></span>no store</li>\n";
  size_t listed = 0;
  for (const auto& [key, ns] : stores) {
    if (key.second == kUndefinedStore) continue;
    if (listed++ == options.max_legend) break;
    const auto& table = reader.stores(key.first);
    std::string label =
        key.second > 0 && static_cast<size_t>(key.second) < table.size() ? table[key.second].label : std::string();
    const StreamInfo* info = key.first < reader.streams().size() ? &reader.streams()[key.first] : nullptr;
    html += "<li><span class=\"swatch\" style=\"background:" + std::string(ColourOf(key.second)) + "\"></span>" +
            HtmlEscape((info ? StreamName(*info) : "stream " + std::to_string(key.first)) + ", store " +
                       std::to_string(key.second) + (label.empty() ? "" : ": " + label)) +
            " <span class=\"dim\">" + Ms(static_cast<double>(ns) / 1e6) + " ms</span></li>\n";
  }
  bool several = false;
  for (const auto* row : drawn)
    for (const auto& b : row->buckets) several |= b.time[TimelineCollector::kStoresPerBucket].ns > 0;
  if (several)
    html += "<li><span class=\"swatch\" style=\"background:" + std::string(kOtherStoreColour) +
            "\"></span>many stores (more than " + std::to_string(TimelineCollector::kStoresPerBucket) +
            " in too short a time to draw each)</li>\n";
  size_t defined = 0;
  for (const auto& [key, ns] : stores) defined += key.second != kUndefinedStore;
  if (defined > options.max_legend)
    html += "<li class=\"more\">and " + std::to_string(defined - options.max_legend) +
            " more store(s); colours repeat every 12 stores</li>\n";
  html += "</ul>\n";
  return html;
}

}  // namespace ahtrace::report
