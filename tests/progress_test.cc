// Progress on a terminal: every command that reads a trace shows one line
// rewritten with '\r' while it reads, and clears it; through a pipe it
// prints nothing more than it did before.
#include <gtest/gtest.h>

#include <string>

#include "common/progress_meter.h"
#include "tests/test_util.h"

namespace ahtrace {
namespace {
using testing::Quote;
using testing::RunCommand;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

// 40,000 events: enough for the reader to report progress several times.
std::string WriteBusyTrace(const TempDir& dir) {
  std::string text = "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n"
                     "{\"kind\":\"stream\",\"stream\":0,\"pid\":7,\"node\":\"v20.20.2\",\"cwd\":\"/\"}\n";
  for (int id = 2; id < 10002; ++id) {
    std::string a = "\"stream\":0,\"asyncId\":" + std::to_string(id);
    text += "{\"kind\":\"init\"," + a + ",\"triggerAsyncId\":1,\"type\":\"Immediate\"}\n";
    text += "{\"kind\":\"before\"," + a + "}\n{\"kind\":\"after\"," + a + "}\n{\"kind\":\"destroy\"," + a + "}\n";
  }
  text += "{\"kind\":\"streamEnd\",\"stream\":0,\"exitCode\":0}\n";
  std::string path = dir.File("busy.ndjson");
  testing::WriteFile(path, text);
  return path;
}

struct Case {
  const char* command;
  std::string args;
};

std::vector<Case> Commands(const TempDir& dir, const std::string& trace) {
  return {{"replay", "replay " + Quote(trace) + " -o " + Quote(dir.File("t.db"))},
          {"check", "check --no-context " + Quote(trace) + " -o " + Quote(dir.File("report.txt"))},
          {"graph", "graph " + Quote(trace) + " -o " + Quote(dir.File("t.dot"))},
          {"convert", "convert " + Quote(trace) + " -o " + Quote(dir.File("t2.ndjson"))},
          {"export", "export " + Quote(trace) + " -o " + Quote(dir.File("t.json"))}};
}

// Under a pseudo-terminal (util-linux `script`), with the one-second delay
// set to zero so a small trace shows it.
TEST(Progress, EachCommandShowsAndClearsOneLineOnATerminal) {
  if (RunCommand("command -v script").exit_code != 0) GTEST_SKIP() << "util-linux script is not installed";
  TempDir dir;
  std::string trace = WriteBusyTrace(dir);
  for (const Case& c : Commands(dir, trace)) {
    std::string inner = "AHTRACE_PROGRESS_AFTER_MS=0 " + Bin() + " " + c.args;
    auto r = RunCommand("script -qec " + Quote(inner) + " /dev/null");
    EXPECT_LT(r.exit_code, 2) << c.command << r.out << r.err;
    std::string label = std::string("\rahtrace ") + c.command;
    EXPECT_NE(r.out.find(label), std::string::npos) << c.command << ": " << r.out;
    EXPECT_NE(r.out.find(" events/s"), std::string::npos) << c.command << ": " << r.out;
    EXPECT_NE(r.out.find("% of "), std::string::npos) << c.command << ": " << r.out;
    EXPECT_NE(r.out.find("\r\x1b[K"), std::string::npos) << c.command << ": the line is never cleared";
  }
}

TEST(Progress, NothingExtraThroughAPipe) {
  TempDir dir;
  std::string trace = WriteBusyTrace(dir);
  for (const Case& c : Commands(dir, trace)) {
    auto r = RunCommand("AHTRACE_PROGRESS_AFTER_MS=0 " + Bin() + " " + c.args);
    EXPECT_LT(r.exit_code, 2) << c.command << r.err;
    EXPECT_EQ(r.err.find('\r'), std::string::npos) << c.command << ": " << r.err;
    EXPECT_EQ(r.err.find("events/s"), std::string::npos) << c.command << ": " << r.err;
  }
}

TEST(Progress, TheLineSaysHowFarHowFastAndHowLong) {
  EXPECT_EQ(ProgressMeter::Line("ahtrace replay", 4200000, 256 << 20, 1024 << 20, 6.0),
            "ahtrace replay: 25% of 1024 MiB, 4.2M events, 700k events/s, 18 s left");
  // Input of unknown size: no share and no time left.
  EXPECT_EQ(ProgressMeter::Line("ahtrace check", 500, 10, 0, 2.0), "ahtrace check: 500 events, 250 events/s");
}

}  // namespace
}  // namespace ahtrace
