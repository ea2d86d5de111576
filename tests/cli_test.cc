// The command line as a user meets it: bad input gets one clear message and
// a documented exit code; the program's own status passes through record.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/utf8.h"
#include "tests/test_util.h"
#include "trace/binary_writer.h"

namespace ahtrace {
namespace {
using testing::Quote;
using testing::RunCommand;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

TEST(Cli, RecordWithoutACommandIsAUsageError) {
  auto r = RunCommand(Bin() + " record -o /tmp/x.trace");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no command given"), std::string::npos) << r.err;
}

TEST(Cli, MissingOrNonExecutableProgramExitsLikeAShell) {
  TempDir dir;
  auto r = RunCommand(Bin() + " record -o " + Quote(dir.File("t")) + " -- no-such-node-binary app.js");
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("no-such-node-binary: command not found"), std::string::npos) << r.err;
  testing::WriteFile(dir.File("script"), "#!/bin/sh\n");
  auto r2 = RunCommand(Bin() + " record -o " + Quote(dir.File("t")) + " -- " + Quote(dir.File("script")));
  EXPECT_EQ(r2.exit_code, 126);
}

TEST(Cli, AProgramThatStartsNoNodeIsReported) {
  TempDir dir;
  auto r = RunCommand(Bin() + " record -o " + Quote(dir.File("t")) + " -- /bin/echo hello");
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find("no node process was recorded"), std::string::npos) << r.err;
}

TEST(Cli, OldNodeIsRefused) {
  TempDir dir;
  testing::WriteFile(dir.File("node"), "#!/bin/sh\necho v18.19.0\n");
  chmod(dir.File("node").c_str(), 0755);
  auto r = RunCommand(Bin() + " record -o " + Quote(dir.File("t")) + " -- " + Quote(dir.File("node")) + " app.js");
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find("needs node >= 20"), std::string::npos) << r.err;
}

// Bun and Deno implement AsyncLocalStorage but emit no async_hooks events:
// they are recorded in AsyncLocalStorage-only mode, and check never passes
// such a trace on inference it cannot make. Runs where scripts/test.sh
// installed them (AHTRACE_TEST_BUN, AHTRACE_TEST_DENO).
TEST(Cli, BunAndDenoAreRecordedWithoutHookEventsAndNeverJudgedClean) {
  struct Runtime {
    const char* env;
    const char* name;
    std::string command;
  };
  std::vector<Runtime> runtimes = {{"AHTRACE_TEST_BUN", "bun", ""}, {"AHTRACE_TEST_DENO", "deno", " run -A"}};
  int ran = 0;
  for (const auto& rt : runtimes) {
    const char* bin = std::getenv(rt.env);
    if (!bin || !*bin) continue;
    ++ran;
    TempDir dir;
    // An ES module: Deno runs .mjs as ESM without flags, Bun runs either.
    testing::WriteFile(dir.File("app.mjs"),
                       "import { AsyncLocalStorage } from 'node:async_hooks';\n"
                       "const als = new AsyncLocalStorage();\n"
                       "const queue = [];\n"
                       "setTimeout(() => queue.forEach((job) => job()), 20);\n"
                       "als.run({ id: 1 }, () => queue.push(() => console.log('job', als.getStore())));\n");
    auto r = RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o t -- " + Quote(bin) + rt.command +
                        " app.mjs");
    ASSERT_EQ(r.exit_code, 0) << rt.name << ": " << r.err;
    EXPECT_NE(r.err.find("emits no async_hooks events"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("job undefined"), std::string::npos) << r.out;
    auto plain = RunCommand(Bin() + " check " + Quote(dir.File("t")));
    EXPECT_EQ(plain.exit_code, 6) << rt.name << ": " << plain.out;
    EXPECT_NE(plain.out.find(std::string(rt.name) + " emits no async_hooks events"), std::string::npos) << plain.out;
    auto ruled = RunCommand(Bin() + " check --expect-store app.mjs:5 " + Quote(dir.File("t")));
    EXPECT_EQ(ruled.exit_code, 1) << rt.name << ": " << ruled.out;
    EXPECT_NE(ruled.out.find("error[context-lost] app.mjs:5:"), std::string::npos) << ruled.out;
    RunCommand(Bin() + " replay " + Quote(dir.File("t")) + " -o " + Quote(dir.File("t.db")));
    EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT kind, severity FROM finding"), "no-hook-events|info\n");
  }
  if (ran == 0) GTEST_SKIP() << "neither AHTRACE_TEST_BUN nor AHTRACE_TEST_DENO is set (scripts/test.sh sets them)";
}

TEST(Cli, DenoSubcommandsOtherThanRunAndTestAreRefused) {
  TempDir dir;
  testing::WriteFile(dir.File("deno"), "#!/bin/sh\necho should not run\n");
  chmod(dir.File("deno").c_str(), 0755);
  auto r = RunCommand(Bin() + " record -o " + Quote(dir.File("t")) + " -- " + Quote(dir.File("deno")) + " eval 1");
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_NE(r.err.find("records `deno run ...` and `deno test ...` only"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

// Never a silent green: a child killed before its first flush leaves a
// stream with a header and nothing else. record says so (124: the program
// itself exited 0), and check fails on it instead of judging the rest.
TEST(Cli, AnEmptyStreamMakesRecordAndCheckFail) {
  TempDir dir;
  testing::WriteFile(dir.File("app.js"),
                     "const { AsyncLocalStorage } = require('async_hooks');\n"
                     "const als = new AsyncLocalStorage();\n"
                     "const { spawn } = require('child_process');\n"
                     "als.run({ id: 1 }, () => {\n"
                     "  const c = spawn(process.execPath, ['-e', 'process.kill(process.pid, \"SIGKILL\")']);\n"
                     "  c.on('exit', () => console.log('store', als.getStore().id));\n"
                     "});\n");
  auto r = RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o t -- node app.js");
  EXPECT_EQ(r.exit_code, 124) << r.err;
  EXPECT_NE(r.err.find("recording INCOMPLETE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no events"), std::string::npos) << r.err;
  auto c = RunCommand(Bin() + " check " + Quote(dir.File("t")));
  EXPECT_EQ(c.exit_code, 1) << c.out;
  EXPECT_NE(c.out.find("error[incomplete-trace]"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("empty-stream"), std::string::npos) << c.out;
}

// A process whose recorder failed to start leaves a marker instead of a
// stream; every reader reports it and check fails.
TEST(Cli, ARecorderThatFailedToStartFailsCheck) {
  TempDir dir;
  testing::WriteFile(dir.File("app.js"),
                     "const { AsyncLocalStorage } = require('async_hooks');\n"
                     "const als = new AsyncLocalStorage();\n"
                     "als.run(1, () => setTimeout(() => console.log(als.getStore()), 1));\n");
  auto r = RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o t -- node app.js");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(RunCommand(Bin() + " check " + Quote(dir.File("t"))).exit_code, 0);
  testing::WriteFile(dir.File("t/p77-t3.failed"),
                     "{\"pid\":77,\"threadId\":3,\"node\":\"v24.22.3\",\"error\":\"recorder failed to start: boom\"}\n");
  auto c = RunCommand(Bin() + " check " + Quote(dir.File("t")));
  EXPECT_EQ(c.exit_code, 1) << c.out;
  EXPECT_NE(c.out.find("recorder-failed: pid 77 thread 3 (node v24.22.3) was not recorded: recorder failed to start: boom"),
            std::string::npos)
      << c.out;
  // Even with that finding allowed by fingerprint, or --no-hook-rules.
  auto c2 = RunCommand(Bin() + " check --no-hook-rules --no-mismatches " + Quote(dir.File("t")));
  EXPECT_EQ(c2.exit_code, 1) << c2.out;
  testing::RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " replay t -o t.db");
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT kind, severity FROM finding WHERE kind = 'recorder-failed'"),
            "recorder-failed|error\n");
}

// A trace with events but no getStore() call gives check nothing to judge
// context loss by: exit 6, never 0.
TEST(Cli, CheckWithNothingToJudgeExits6) {
  TempDir dir;
  auto r = RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o t -- node -e \"setTimeout(() => {}, 1)\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto c = RunCommand(Bin() + " check " + Quote(dir.File("t")));
  EXPECT_EQ(c.exit_code, 6) << c.out;
  EXPECT_NE(c.out.find("ahtrace check: not judged (no AsyncLocalStorage was used"), std::string::npos) << c.out;
  auto j = RunCommand(Bin() + " check --format json " + Quote(dir.File("t")));
  EXPECT_EQ(j.exit_code, 6);
  EXPECT_EQ(nlohmann::json::parse(j.out)["verdict"], "cannot-judge");
  auto junit = RunCommand(Bin() + " check --format junit " + Quote(dir.File("t")));
  EXPECT_NE(junit.out.find("<error message=\"no AsyncLocalStorage was used"), std::string::npos) << junit.out;
  EXPECT_EQ(RunCommand(Bin() + " check --no-context " + Quote(dir.File("t"))).exit_code, 0);
}

// `-o` naming the input destroyed the trace (check t -o t, replay t -o t,
// graph t -o t, convert dir -o dir/stream.ahs): refused, and the trace is
// still readable afterwards.
TEST(Cli, AnOutputThatWouldOverwriteTheInputIsRefused) {
  TempDir dir;
  ASSERT_EQ(RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o t -- node -e \"setTimeout(() => {}, 1)\"")
                .exit_code,
            0);
  std::string t = Quote(dir.File("t"));
  std::string stream = ListStreamFiles(dir.File("t")).at(0);
  for (const std::string& cmd :
       {"check " + t + " -o " + t, "replay " + t + " -o " + t, "graph " + t + " -o " + t,
        "convert " + t + " -o " + Quote(stream), "convert " + t + " -o " + Quote(dir.File("t/p1-t0.ahs")),
        "replay " + Quote(stream) + " -o " + Quote(dir.path() + "/t/../t/" + std::filesystem::path(stream).filename().string())}) {
    auto r = RunCommand(Bin() + " " + cmd);
    EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find("choose another -o"), std::string::npos) << cmd << "\n" << r.err;
  }
  EXPECT_EQ(RunCommand(Bin() + " stats " + t).exit_code, 0) << "the trace survived";
}

// Trace strings are untrusted: in text reports they must neither drive the
// terminal (ESC/OSC/CSI, bidi overrides) nor forge report lines (newlines),
// nor cut the output (NUL).
TEST(Cli, TextReportsEscapeTraceStrings) {
  TempDir dir;
  testing::WriteFile(dir.File("t.ndjson"),
                     "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n"
                     "{\"kind\":\"stream\",\"stream\":0,\"pid\":9,\"threadId\":0,\"node\":\"v20.20.2\"}\n"
                     "{\"kind\":\"alsCreate\",\"stream\":0,\"storage\":1,\"site\":\"s\\u202eb.js:1:1\"}\n"
                     "{\"kind\":\"alsRunBegin\",\"stream\":0,\"storage\":1,\"store\":1}\n"
                     "{\"kind\":\"init\",\"stream\":0,\"asyncId\":2,\"type\":\"T\\u001b]0;pwned\\u0007\\nerror[forged] x\\u0000y\",\"triggerAsyncId\":1}\n"
                     "{\"kind\":\"alsRunEnd\",\"stream\":0,\"storage\":1,\"store\":1}\n"
                     "{\"kind\":\"before\",\"stream\":0,\"asyncId\":2}\n"
                     "{\"kind\":\"alsGetStore\",\"stream\":0,\"storage\":1,\"store\":0,\"site\":\"evil.js:3:1\"}\n"
                     "{\"kind\":\"after\",\"stream\":0,\"asyncId\":2}\n"
                     "{\"kind\":\"streamEnd\",\"stream\":0,\"exitCode\":0}\n");
  for (const std::string& cmd : {std::string(" check --no-mismatches --expect-store evil.js "), std::string(" stats ")}) {
    auto r = RunCommand(Bin() + cmd + Quote(dir.File("t.ndjson")));
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << cmd << r.out;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << cmd << r.out;
    EXPECT_EQ(r.out.find("\nerror[forged]"), std::string::npos) << cmd << r.out;
    EXPECT_EQ(r.out.find("\xe2\x80\xae"), std::string::npos) << cmd << "bidi override passed through";
    EXPECT_NE(r.out.find("T\\x1b]0;pwned\\x07\\x0aerror[forged] x\\x00y"), std::string::npos) << cmd << r.out;
  }
  auto c = RunCommand(Bin() + " check --no-mismatches --expect-store evil.js " + Quote(dir.File("t.ndjson")));
  EXPECT_EQ(c.exit_code, 1) << c.out;
  EXPECT_NE(c.out.find("ahtrace check: 1 finding(s)"), std::string::npos) << "the summary survives a NUL: " << c.out;
}

TEST(Cli, UnwritableOutputIsReportedBeforeRunning) {
  TempDir dir;
  testing::WriteFile(dir.File("file"), "x");
  auto r = RunCommand(Bin() + " record -o " + Quote(dir.File("file")) + " -- node -e 'console.log(1)'");
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("exists and is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "") << "the program must not have run";
  // A directory with other files is not wiped.
  testing::WriteFile(dir.File("keep.txt"), "precious");
  auto r2 = RunCommand(Bin() + " record -o " + Quote(dir.path()) + " -- node -e 1");
  EXPECT_EQ(r2.exit_code, 4);
  EXPECT_EQ(testing::ReadFile(dir.File("keep.txt")), "precious");
}

TEST(Cli, StdioAndExitCodePassThrough) {
  TempDir dir;
  auto r = RunCommand("{ echo hello | " + Bin() + " record -o " + Quote(dir.File("t")) +
                      " -- node -e \"process.stdin.on('data', d => { process.stdout.write('got ' + d); "
                      "console.error('to stderr'); process.exitCode = 7; })\"; }");
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.out, "got hello\n");
  EXPECT_NE(r.err.find("to stderr"), std::string::npos);
}

TEST(Cli, SignalDeathIsReportedAsAShellDoes) {
  TempDir dir;
  auto r = RunCommand(Bin() + " record -o " + Quote(dir.File("t")) +
                      " -- node -e \"setTimeout(() => process.kill(process.pid, 'SIGTERM'), 5); setInterval(() => {}, 1000)\"");
  EXPECT_EQ(r.exit_code, 128 + 15);
  EXPECT_NE(r.err.find("killed by signal 15"), std::string::npos) << r.err;
  auto t = testing::ReadAll(dir.File("t"));
  ASSERT_TRUE(t.status.ok());
  EXPECT_GT(t.events.size(), 0u);
}

TEST(Cli, SigkillLeavesAReadableTrace) {
  TempDir dir;
  auto r = RunCommand(Bin() + " record -o " + Quote(dir.File("t")) +
                      " -- node -e \"let n = 0; const t = setInterval(() => { Promise.resolve().then(() => {}); "
                      "if (++n === 300) process.kill(process.pid, 'SIGKILL'); }, 2)\"");
  EXPECT_EQ(r.exit_code, 128 + 9);
  auto t = testing::ReadAll(dir.File("t"));
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  EXPECT_GT(t.events.size(), 0u) << "the flush every 250 ms of events wrote what came before the kill";
  EXPECT_FALSE(t.reader->streams()[0].ended_cleanly);
  // What came after the last flush is missing: check must not judge it clean.
  auto c = RunCommand(Bin() + " check --no-context " + Quote(dir.File("t")));
  EXPECT_EQ(c.exit_code, 1) << c.out;
  EXPECT_NE(c.out.find("error[incomplete-trace]"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("stream-cut-short"), std::string::npos) << c.out;
}

TEST(Cli, StatsJsonHasTheDocumentedKeys) {
  auto r = RunCommand(Bin() + " stats --format json " + Quote(testing::SourcePath("samples/worker/trace")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* kind : {"init", "before", "after", "destroy", "promiseResolve"})
    EXPECT_TRUE(j["events"].contains(kind)) << kind;
  EXPECT_EQ(j["formatVersion"], 1);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["processes"], 1);
  EXPECT_EQ(j["nodeVersions"][0].get<std::string>().rfind("v20", 0), 0u);
  EXPECT_TRUE(j["types"].contains("Timeout"));
  EXPECT_GT(j["events"]["init"].get<int>(), 0);
  EXPECT_EQ(j["events"]["before"], j["events"]["after"]);
}

TEST(Cli, NonTraceInputToEveryReaderCommandExits3) {
  TempDir dir;
  testing::WriteFile(dir.File("notes.txt"), "hello\n");
  for (const char* cmd : {"stats", "replay", "graph", "check", "convert"}) {
    std::string out = std::string(cmd) == "stats" ? "" : " -o " + Quote(dir.File("out"));
    auto r = RunCommand(Bin() + " " + cmd + " " + Quote(dir.File("notes.txt")) + out);
    EXPECT_EQ(r.exit_code, 3) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("notes.txt: not an ahtrace trace"), std::string::npos) << cmd;
    EXPECT_FALSE(std::filesystem::exists(dir.File("out"))) << cmd << " left a half-written output";
  }
}

TEST(Cli, ReplayOutputIsNeverHalfWritten) {
  TempDir dir;
  auto r = RunCommand(Bin() + " replay " + Quote(testing::SourcePath("samples/timers/trace")) + " -o " +
                      Quote(dir.File("no/such/dir/t.db")));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("cannot create database"), std::string::npos) << r.err;
}

TEST(Cli, GraphRefusesTooLargeGraphsNamingTheFilters) {
  TempDir dir;
  auto r = RunCommand(Bin() + " graph " + Quote(testing::SourcePath("samples/http-als/trace")) +
                      " --max-nodes 10 -o " + Quote(dir.File("g.svg")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("more than --max-nodes 10; narrow it with --root ID --depth N"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

TEST(Cli, RecordingAgainReplacesThePreviousTrace) {
  testing::TempDir dir;
  std::string trace = dir.File("t.trace");
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(testing::RunCommand(Bin() + " record -o " + Quote(trace) + " -- node -e 'setTimeout(() => {}, 1)'").exit_code, 0);
  EXPECT_EQ(ListStreamFiles(trace).size(), 1u) << "the first recording's stream is gone";
  auto manifest = nlohmann::json::parse(testing::ReadFile(trace + "/manifest.json"));
  EXPECT_EQ(manifest["status"], "exited");
  EXPECT_EQ(manifest["exitCode"], 0);
}

// Every stack mode records a trace the model agrees with.
TEST(Cli, EveryStacksModeReplaysCleanly) {
  for (const char* mode : {"none", "als", "default", "all"}) {
    testing::TempDir dir;
    std::string trace = dir.File("t.trace");
    auto r = testing::RunCommand(Bin() + " record --stacks " + mode + " -o " + Quote(trace) + " -- node " +
                                 Quote(testing::SourcePath("samples/http-als/app.js")));
    ASSERT_EQ(r.exit_code, 0) << mode << ": " << r.err;
    auto replay = testing::RunCommand(Bin() + " replay " + Quote(trace) + " -o " + Quote(dir.File("t.db")));
    ASSERT_EQ(replay.exit_code, 0) << replay.err;
    EXPECT_NE(replay.err.find(": 0 finding(s)"), std::string::npos) << mode << ": " << replay.err;
    auto t = testing::ReadAll(trace);
    size_t with_site = 0;
    for (const auto& e : t.events) with_site += !e.site.empty();
    if (std::string(mode) == "none") {
      EXPECT_EQ(with_site, 0u);
    } else {
      EXPECT_GT(with_site, 0u) << mode;
    }
  }
  EXPECT_EQ(testing::RunCommand(Bin() + " record --stacks some -o /tmp/x -- node -e 1").exit_code, 2);
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

// Invalid UTF-8 in a trace (a type name) or on the command line made
// nlohmann's dump() throw: JSON output replaces it instead.
TEST(Cli, InvalidUtf8NeverBreaksJsonOutput) {
  testing::TempDir dir;
  {
    BinaryStreamWriter w;
    ASSERT_TRUE(w.Open(dir.File("p1-t0.ahs"), R"({"format":"ahtrace-stream","version":1,"pid":1,"node":"v20.20.2"})").ok());
    Event e;
    e.kind = EventKind::kInit;
    e.async_id = AsyncId(2);
    e.trigger_id = AsyncId(1);
    e.type = "bad\xff\xfe";
    e.site = "/tmp/\xff.js:1:1";
    e.observed = false;
    w.Write(e, 1);
    e.async_id = AsyncId(3);
    e.type = "Timeout";  // alive at the end: a leak finding whose site is not UTF-8
    w.Write(e, 2);
    ASSERT_TRUE(w.Close().ok());
  }
  auto stats = testing::RunCommand(Bin() + " stats --format json " + Quote(dir.path()));
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_TRUE(nlohmann::json::accept(stats.out));
  EXPECT_NE(stats.out.find("bad\xef\xbf\xbd"), std::string::npos);
  auto check = testing::RunCommand(Bin() + " check --leaks --format sarif " + Quote(dir.path()));
  EXPECT_TRUE(check.exit_code == 0 || check.exit_code == 1) << check.err;
  EXPECT_TRUE(nlohmann::json::accept(check.out));
  auto junit = testing::RunCommand(Bin() + " check --leaks --format junit " + Quote(dir.path()));
  EXPECT_NE(junit.out.find("<failure"), std::string::npos);
  EXPECT_EQ(ValidUtf8(junit.out), junit.out) << "JUnit XML must be valid UTF-8";
  auto r = testing::RunCommand(Bin() + " record -o " + Quote(dir.File("u.trace")) + " -- node -e 1 \"$(printf '\\377')\"");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::accept(testing::ReadFile(dir.File("u.trace/manifest.json"))));
}

}  // namespace
}  // namespace ahtrace
