// The binary stream reader (.ahs), as commands read it: the input is the
// only stream of a trace directory, so the binary reader reads it whatever
// its first bytes are.
#include "fuzz_input.h"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ahtrace;
  static const std::string dir = [] {
    std::string d = fuzz::TempDir() + "trace";
    std::filesystem::create_directory(d);
    return d;
  }();
  fuzz::WriteInput("trace/p1-t0.ahs", data, size);
  Status status;
  auto reader = OpenTrace(dir, &status);
  if (reader) fuzz::Drain(*reader);
  else fuzz::ExpectReadOrRefused(status, "opening");
  return 0;
}
