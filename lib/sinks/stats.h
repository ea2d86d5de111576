// `ahtrace stats`: what a trace holds, counted in one streaming pass.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "trace/reader.h"

namespace ahtrace {

struct TypeStats {
  uint64_t created = 0;
  uint64_t destroyed = 0;
  uint64_t alive_at_end = 0;  // init seen, destroy never seen
};

struct TraceStats {
  std::vector<StreamInfo> streams;
  std::map<std::string, uint64_t> events_by_kind;  // every known kind, zeros included for hooks
  std::map<std::string, TypeStats> types;          // by resource type
  uint64_t total_events = 0;
  uint64_t never_destroyed = 0;
  uint64_t storages = 0;
  uint64_t get_store_calls = 0;
  uint64_t get_store_undefined = 0;
  int64_t first_ts_ns = 0, last_ts_ns = 0;
  uint64_t problems = 0;
  std::vector<ReadProblem> first_problems;  // up to 20, for the report
  // Markers of recorders that failed to start, or stopped part-way (a full
  // disk): beside a stream, they say why it has no clean end.
  std::vector<RecorderFailure> recorder_failures;
};

// Reads the whole trace. A non-ok status means the trace could not be read
// at all (problems inside it are counted, not fatal).
Status ComputeStats(TraceReader& reader, TraceStats* out);

// The `--format json` object; keys are documented in README.md.
nlohmann::json StatsToJson(const TraceStats& stats);
std::string StatsToText(const TraceStats& stats);

}  // namespace ahtrace
