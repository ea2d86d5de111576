// The other reading commands, on any input format (OpenTrace picks the
// reader by the first bytes): `stats` (both outputs) and `convert` (the
// NDJSON writer, into this process's temporary directory). Kept apart from
// the replay target so that a bug here does not stop the exploration of
// replay and check.
#include "fuzz_input.h"

#include "sinks/ndjson_writer.h"
#include "sinks/stats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ahtrace;
  std::string path = fuzz::WriteInput("trace.input", data, size);
  Status status;
  if (auto reader = OpenTrace(path, &status)) {
    TraceStats stats;
    Status computed = ComputeStats(*reader, &stats);
    fuzz::ExpectReadOrRefused(computed, "ComputeStats");
    if (computed.ok()) {
      fuzz::Touch(StatsToJson(stats).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
      fuzz::Touch(StatsToText(stats));
    }
  }
  if (auto reader = OpenTrace(path, &status))
    fuzz::ExpectReadOrRefused(WriteNdjson(*reader, fuzz::TempDir() + "converted.ndjson"), "WriteNdjson");
  return 0;
}
