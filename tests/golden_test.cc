// Golden tests: a committed trace in, a query or a graph out, compared with
// a committed expected file. Each tests/golden/<name>.sql names its trace on
// its first line (`-- trace: samples/<name>/trace`); the rows it returns are
// compared with <name>.expected. Graph goldens are listed in kGraphGoldens.
// To refresh after an intended change: AHTRACE_UPDATE_GOLDEN=1 ctest -R Golden
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "graph/graph.h"
#include "sinks/sqlite_sink.h"
#include "tests/test_util.h"

namespace ahtrace {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

bool Updating() { return std::getenv("AHTRACE_UPDATE_GOLDEN") != nullptr; }

void CompareWithGolden(const std::string& actual, const std::string& golden_path) {
  if (Updating()) {
    testing::WriteFile(golden_path, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(golden_path)) << golden_path << " is missing (run with AHTRACE_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, testing::ReadFile(golden_path)) << "differs from " << golden_path;
}

std::vector<std::string> SqlGoldens() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(testing::SourcePath("tests/golden"), ec))
    if (e.path().extension() == ".sql") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class SqlGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlGolden, QueryGivesTheExpectedRows) {
  std::string base = testing::SourcePath("tests/golden/" + GetParam());
  std::string sql = testing::ReadFile(base + ".sql");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sql, m, std::regex("^-- trace: (\\S+)"))) << "first line must be -- trace: PATH";
  TempDir dir;
  testing::ReplayInto(testing::SourcePath(m[1]), dir.File("t.db"));
  CompareWithGolden(testing::QueryRows(dir.File("t.db"), sql), base + ".expected");
}

INSTANTIATE_TEST_SUITE_P(Golden, SqlGolden, ::testing::ValuesIn(SqlGoldens()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

struct GraphGolden {
  const char* name;   // tests/golden/<name>.dot
  const char* trace;  // relative to the source tree
  graph::GraphOptions options;
};

std::vector<GraphGolden> GraphGoldens() {
  graph::GraphOptions folded;
  folded.fold_ticks = true;
  graph::GraphOptions execution;
  execution.kind = graph::GraphKind::kExecution;
  execution.fold_ticks = true;
  execution.fold_promises = true;
  return {
      {"http-als.trigger", "samples/http-als/trace", folded},
      {"job-queue-lost.execution", "samples/job-queue-lost/trace", execution},
      {"worker.trigger", "samples/worker/trace", folded},
  };
}

std::string DotFor(const GraphGolden& g, const std::string& out) {
  Status st;
  auto reader = OpenTrace(testing::SourcePath(g.trace), &st);
  EXPECT_TRUE(reader) << st.message();
  if (!reader) return "";
  graph::GraphCollector collector;
  ReplaySummary summary;
  EXPECT_TRUE(Replay(*reader, &collector, nullptr, &summary).ok());
  graph::SelectedGraph selected;
  EXPECT_TRUE(graph::SelectGraph(collector, reader->streams(), g.options, &selected).ok());
  std::vector<std::vector<StoreInfo>> stores;
  for (uint32_t i = 0; i < reader->streams().size(); ++i) stores.push_back(reader->stores(i));
  EXPECT_TRUE(graph::WriteDot(selected, reader->streams(), stores, g.options, out).ok());
  return testing::ReadFile(out);
}

TEST(GraphGolden, DotMatchesAndIsStableAcrossRuns) {
  for (const auto& g : GraphGoldens()) {
    TempDir dir;
    std::string first = DotFor(g, dir.File("a.dot"));
    std::string second = DotFor(g, dir.File("b.dot"));
    EXPECT_EQ(first, second) << g.name << ": DOT differs between two runs";
    CompareWithGolden(first, testing::SourcePath(std::string("tests/golden/") + g.name + ".dot"));
  }
}

TEST(ReplayDeterminism, SameTraceGivesByteIdenticalDump) {
  TempDir dir;
  std::string trace = testing::SourcePath("samples/http-als/trace");
  testing::ReplayInto(trace, dir.File("a.db"));
  testing::ReplayInto(trace, dir.File("b.db"));
  auto dump = [&](const std::string& db) {
    return testing::RunCommand("sqlite3 " + testing::Quote(db) + " .dump").out;
  };
  std::string a = dump(dir.File("a.db"));
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, dump(dir.File("b.db")));
}

}  // namespace
}  // namespace ahtrace
