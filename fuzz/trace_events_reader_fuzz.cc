// Node's own trace-event log (node_trace.1.log), through the reader that
// streams it (the scanner that cuts traceEvents into elements, the reorder
// window).
#include "fuzz_input.h"

#include "trace/trace_events_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ahtrace;
  std::string path = fuzz::WriteInput("node_trace.1.log", data, size);
  Status status;
  auto reader = OpenTraceEvents(path, &status);
  if (reader) fuzz::Drain(*reader);
  else fuzz::ExpectReadOrRefused(status, "opening");
  return 0;
}
