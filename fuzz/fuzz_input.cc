#include "fuzz_input.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace ahtrace::fuzz {

namespace {
volatile uint64_t g_sink;

void RemoveTempDir() {
  std::error_code ec;
  std::filesystem::remove_all(TempDir(), ec);
}
}  // namespace

const std::string& TempDir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ahtrace-fuzz.XXXXXX";
    if (!mkdtemp(tmpl.data())) {
      std::perror("ahtrace fuzz: mkdtemp");
      std::abort();
    }
    return tmpl + "/";
  }();
  static const bool cleanup = (std::atexit(RemoveTempDir), true);
  (void)cleanup;
  return dir;
}

std::string WriteInput(const std::string& name, const uint8_t* data, size_t size) {
  std::string path = TempDir() + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(("ahtrace fuzz: cannot write " + path).c_str());
    std::abort();
  }
  return path;
}

void ExpectReadOrRefused(const Status& status, const char* what) {
  if (status.ok() || status.code() == StatusCode::kInvalidTrace) return;
  std::fprintf(stderr, "ahtrace fuzz: %s returned status %d: %s\n", what, status.exit_code(), status.message().c_str());
  std::abort();
}

void Touch(std::string_view s) {
  uint64_t h = s.size();
  for (char c : s) h = h * 31 + static_cast<unsigned char>(c);
  g_sink = g_sink + h;
}

uint64_t Drain(TraceReader& reader) {
  reader.set_problem_callback([](const ReadProblem& p) {
    Touch(p.Where());
    Touch(p.message);
  });
  uint64_t events = 0;
  Event e;
  while (reader.Next(&e)) {
    ++events;
    Touch(e.type);
    Touch(e.site);
    Touch(e.enclosing);
    Touch(e.callers);
    // Every event names a stream the reader declared.
    if (e.stream >= reader.streams().size()) std::abort();
  }
  ExpectReadOrRefused(reader.status(), "reading");
  Touch(reader.status().message());
  for (uint32_t i = 0; i < reader.streams().size(); ++i) {
    const StreamInfo& s = reader.streams()[i];
    Touch(s.header_json);
    Touch(s.node_version);
    for (const StoreInfo& store : reader.stores(i)) Touch(store.label);
  }
  for (const RecorderFailure& f : reader.recorder_failures()) Touch(f.message);
  return events;
}

}  // namespace ahtrace::fuzz
