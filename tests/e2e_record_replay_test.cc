// End to end: record real node programs with the real `ahtrace record`, read
// what came out, and replay it. Ground truth is node itself: the model must
// agree with every executionAsyncId, triggerAsyncId and getStore() result
// node reported, on every program of tests/e2e_programs and samples/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "model/replay.h"
#include "tests/test_util.h"

namespace ahtrace {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

struct Program {
  std::string name;  // test name
  std::string path;
  int expected_exit = 0;
};
void PrintTo(const Program& p, std::ostream* os) { *os << p.path; }

// Every program under tests/e2e_programs and every sample; line 1 may say
// `// exit: N`.
std::vector<Program> AllPrograms() {
  std::vector<Program> programs;
  auto add = [&](const fs::path& path, const std::string& name) {
    Program p{name, path.string(), 0};
    std::string first = testing::ReadFile(path.string());
    std::smatch m;
    if (std::regex_search(first, m, std::regex("^// exit: (\\d+)"))) p.expected_exit = std::stoi(m[1]);
    for (char& c : p.name)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    programs.push_back(p);
  };
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(testing::SourcePath("tests/e2e_programs"), ec)) {
    auto ext = e.path().extension();
    if (ext == ".js" || ext == ".mjs") add(e.path(), "e2e_" + e.path().stem().string());
  }
  for (const auto& e : fs::directory_iterator(testing::SourcePath("samples"), ec)) {
    for (const char* main : {"app.js", "app.mjs"})
      if (fs::exists(e.path() / main)) add(e.path() / main, "sample_" + e.path().filename().string());
  }
  std::sort(programs.begin(), programs.end(), [](const Program& a, const Program& b) { return a.name < b.name; });
  return programs;
}

struct CollectFindings : ModelSink {
  std::vector<Finding> findings;
  void OnFinding(const Finding& f) override { findings.push_back(f); }
};

class RecordedProgram : public ::testing::TestWithParam<Program> {};

TEST_P(RecordedProgram, RecordsCompletelyAndReplaysWithoutDisagreement) {
  const Program& p = GetParam();
  TempDir dir;
  std::string trace = dir.File("t.trace");
  auto run = testing::RunCommand("cd " + testing::Quote(dir.path()) + " && " + testing::Quote(testing::AhtraceBin()) +
                                 " record -o " + testing::Quote(trace) + " -- node " + testing::Quote(p.path));
  ASSERT_EQ(run.exit_code, p.expected_exit) << "stderr:\n" << run.err;

  auto t = testing::ReadAll(trace);
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  for (const auto& problem : t.problems) ADD_FAILURE() << problem.Where() << ": " << problem.message;
  const auto& streams = t.reader->streams();
  ASSERT_FALSE(streams.empty());

  // Worker threads and child processes are streams of their own.
  // Every stream was written by the node under test (the PATH's; scripts/
  // test.sh puts each line first in turn), children and workers included.
  static const std::string node_version = [] {
    std::string v = testing::RunCommand("node --version").out;
    return v.substr(0, v.find('\n'));
  }();
  std::set<int64_t> pids;
  bool has_worker = false;
  for (const auto& s : streams) {
    pids.insert(s.pid);
    has_worker |= !s.is_main_thread;
    EXPECT_EQ(s.node_version, node_version);
  }
  if (p.name.find("worker") != std::string::npos) {
    EXPECT_TRUE(has_worker);
  }
  if (p.name.find("child") != std::string::npos) {
    EXPECT_GE(pids.size(), 2u);
  }

  // Node's own view inside the hooks: eid inside before(x)/after(x) is x,
  // and every before has its after unless the program exits inside one.
  std::map<std::pair<uint32_t, int64_t>, int> open;
  size_t get_store_calls = 0, get_store_undefined = 0;
  for (const Event& e : t.events) {
    if (e.kind == EventKind::kBefore || e.kind == EventKind::kAfter) {
      EXPECT_EQ(e.observed_eid, e.async_id) << "seq " << e.seq;
      open[{e.stream, e.async_id.value}] += e.kind == EventKind::kBefore ? 1 : -1;
    }
    if (e.kind == EventKind::kAlsGetStore) {
      ++get_store_calls;
      get_store_undefined += e.store == kUndefinedStore;
    }
  }
  // (An after with no before is allowed here: a worker's script runs inside
  // a callback entered before recording; replay checks those.)
  // A process that died by a signal (a cluster worker killed by its
  // primary) ends inside the signal's callback: only streams that exited 0
  // must be balanced.
  int unbalanced = 0;
  for (const auto& [key, n] : open) {
    const StreamInfo& s = streams[key.first];
    if (n > 0 && s.ended_cleanly && s.exit_code == 0) ++unbalanced;
  }
  if (p.expected_exit == 0) {
    EXPECT_EQ(unbalanced, 0);
  }

  // What the program printed (`STORE <label> <value> [name=<value> ...]`,
  // one value per getStore() it made for the line) is what the recorder saw
  // getStore() return. Programs may read stores they do not print.
  std::istringstream out(run.out);
  std::string line;
  size_t printed = 0, printed_undefined = 0;
  while (std::getline(out, line)) {
    if (line.rfind("STORE ", 0) != 0) continue;
    std::istringstream words(line.substr(6));
    std::string label, value;
    words >> label;
    while (words >> value) {
      ++printed;
      printed_undefined += value == "undefined" ||
                           (value.size() > 10 && value.compare(value.size() - 10, 10, "=undefined") == 0);
    }
  }
  EXPECT_GE(get_store_calls, printed);
  EXPECT_EQ(get_store_undefined, printed_undefined);

  // The model agrees with node everywhere: no mismatch, no broken rule
  // beyond what node itself allows (double destroy, late runs: warnings).
  Status st;
  auto reader = OpenTrace(trace, &st);
  ASSERT_TRUE(reader);
  CollectFindings findings;
  ReplaySummary summary;
  ASSERT_TRUE(Replay(*reader, &findings, nullptr, &summary).ok());
  EXPECT_EQ(summary.events, t.events.size());
  for (const auto& f : findings.findings) {
    if (f.severity == Severity::kError)
      ADD_FAILURE() << f.kind << " at stream " << f.stream << " seq " << f.seq << ": " << f.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, RecordedProgram, ::testing::ValuesIn(AllPrograms()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

// Node's own trace-event log (`--trace-event-categories node.async_hooks`)
// is a trace too: replayed, it must keep node's stack rules everywhere.
TEST(NodeTraceEvents, ReplayWithoutBrokenRules) {
  for (const char* program : {"timers.js", "net.js", "worker.js", "promise_all.js"}) {
    testing::TempDir dir;
    auto run = testing::RunCommand("cd " + testing::Quote(dir.path()) +
                                   " && node --trace-event-categories node.async_hooks " +
                                   testing::Quote(testing::SourcePath(std::string("tests/e2e_programs/") + program)));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto t = testing::ReadAll(dir.File("node_trace.1.log"));
    ASSERT_TRUE(t.status.ok()) << t.status.message();
    EXPECT_TRUE(t.problems.empty());
    ASSERT_FALSE(t.reader->streams().empty());
    EXPECT_EQ(t.reader->streams()[0].format, "node-trace-events");
    EXPECT_EQ(t.reader->streams()[0].node_version.rfind("v20", 0), 0u);
    size_t inits = 0;
    for (const auto& e : t.events) inits += e.kind == EventKind::kInit;
    EXPECT_GT(inits, 3u) << program;

    Status st;
    auto reader = OpenTrace(dir.File("node_trace.1.log"), &st);
    ASSERT_TRUE(reader);
    CollectFindings findings;
    ReplaySummary summary;
    ASSERT_TRUE(Replay(*reader, &findings, nullptr, &summary).ok());
    for (const auto& f : findings.findings)
      if (f.severity == Severity::kError) ADD_FAILURE() << program << ": " << f.kind << ": " << f.message;
  }
}

}  // namespace
}  // namespace ahtrace
