// The NDJSON interchange reader. OpenTrace picks the reader by the first
// bytes; inputs that would go to another reader are left to its target.
#include "fuzz_input.h"

#include <algorithm>
#include <cstring>

#include "trace/trace_events_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ahtrace;
  std::string head(reinterpret_cast<const char*>(data), std::min<size_t>(size, 256));
  if ((size >= 8 && std::memcmp(data, "AHTRACE", 8) == 0) || LooksLikeTraceEvents(head)) return 0;
  std::string path = fuzz::WriteInput("trace.ndjson", data, size);
  Status status;
  auto reader = OpenTrace(path, &status);
  if (reader) fuzz::Drain(*reader);
  else fuzz::ExpectReadOrRefused(status, "opening");
  return 0;
}
