// What `record` and the output writers do so that the user's data is not
// lost: one recorder per trace directory, the program's life tied to
// record's, a full disk said as what it is, and no stale temporaries.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"
#include "trace/reader.h"

extern char** environ;

namespace ahtrace {
namespace {
namespace fs = std::filesystem;
using testing::Quote;
using testing::RunCommand;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

// A process started in the background (`ahtrace record ...`), killed with
// SIGKILL and reaped at the end of the test whatever happened.
class Background {
 public:
  Background(std::vector<std::string> args, const std::string& err_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // Waits for the process to end; its wait status.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// `check` on a trace that lacks part of the program: exit 1 with an
// incomplete-trace error that says `why` and gives the fix `hint`.
void ExpectCheckFailsAsIncomplete(const std::string& trace, const std::string& why, const std::string& hint) {
  auto check = RunCommand(Bin() + " check --no-context " + Quote(trace));
  EXPECT_EQ(check.exit_code, 1) << check.out;
  EXPECT_NE(check.out.find("error[incomplete-trace]"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find(why), std::string::npos) << check.out;
  EXPECT_NE(check.out.find(hint), std::string::npos) << check.out;
}

// The pid of the node process recording into `trace` (from its stream's
// name), once its recorder has started; 0 after 5 s without one.
pid_t WaitForRecordedProcess(const std::string& trace) {
  for (int i = 0; i < 500; ++i) {
    auto streams = ListStreamFiles(trace);
    long long pid = 0;
    if (!streams.empty() && std::sscanf(fs::path(streams[0]).filename().c_str(), "p%lld", &pid) == 1 && pid > 0)
      return static_cast<pid_t>(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

const char* kIdleProgram = "setInterval(() => {}, 1000)";

// Two recorders on one -o used to mix their streams, or the second deleted
// the first's live stream, and both reported success.
TEST(RecordHardening, ASecondRecorderOnTheSameDirectoryIsRefusedUntouched) {
  TempDir dir;
  std::string trace = dir.File("t");
  Background first({testing::AhtraceBin(), "record", "-o", trace, "--", "node", "-e", kIdleProgram},
                   dir.File("first.err"));
  ASSERT_GT(first.pid(), 0);
  pid_t node = WaitForRecordedProcess(trace);
  ASSERT_GT(node, 0) << testing::ReadFile(dir.File("first.err"));
  auto streams_before = ListStreamFiles(trace);

  auto second = RunCommand(Bin() + " record -o " + Quote(trace) + " -- node -e 'console.log(\"second ran\")'");
  EXPECT_EQ(second.exit_code, 125) << second.err;
  EXPECT_NE(second.err.find("another `ahtrace record` (pid " + std::to_string(first.pid()) +
                            ") is recording into this trace directory"),
            std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find(trace), std::string::npos) << "the message names the directory: " << second.err;
  EXPECT_EQ(second.out, "") << "the second program must not have run";
  EXPECT_EQ(ListStreamFiles(trace), streams_before) << "the first recording's live stream is untouched";
  auto manifest = nlohmann::json::parse(testing::ReadFile(trace + "/manifest.json"));
  EXPECT_EQ(manifest["command"][1], "-e");
  EXPECT_EQ(manifest["command"][2], kIdleProgram) << "the manifest still names the first command";

  // `record` forwards SIGTERM to the program, which dies by it; the lock
  // goes with the first recorder and a new recording may replace the trace.
  kill(first.pid(), SIGTERM);
  int status = first.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM) << status;
  auto third = RunCommand(Bin() + " record -o " + Quote(trace) + " -- node -e 'console.log(\"third ran\")'");
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.out, "third ran\n");
  // Readers ignore the lock file.
  EXPECT_TRUE(fs::exists(trace + "/.lock"));
  auto stats = RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  auto check = RunCommand(Bin() + " check --no-context " + Quote(trace));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// The lock file must not pass to the program: a recorder killed with
// SIGKILL would otherwise leave the directory locked while node lives.
TEST(RecordHardening, SigkillOfRecordKillsTheProgram) {
  TempDir dir;
  std::string trace = dir.File("t");
  // Orphans come to this process instead of init, so that the program's
  // death can be observed (and reaped) here.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  Background record({testing::AhtraceBin(), "record", "-o", trace, "--", "node", "-e", kIdleProgram},
                    dir.File("record.err"));
  ASSERT_GT(record.pid(), 0);
  pid_t node = WaitForRecordedProcess(trace);
  ASSERT_GT(node, 0) << testing::ReadFile(dir.File("record.err"));
  kill(record.pid(), SIGKILL);
  record.Wait();

  int status = 0;
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = waitpid(node, &status, WNOHANG) == node;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!gone) {
    kill(node, SIGKILL);
    waitpid(node, nullptr, 0);
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  ASSERT_TRUE(gone) << "node " << node << " still ran 1 s after `record` was killed";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  // And the directory is free again.
  auto again = RunCommand(Bin() + " record -o " + Quote(trace) + " -- node -e 1");
  EXPECT_EQ(again.exit_code, 0) << again.err;
}


// A pid no process has: a child that has exited and been reaped.
pid_t DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

// A replay, convert or graph killed mid-write leaves "<out>.tmp-<pid>";
// the next command writing that output removes it, and nothing else.
TEST(RecordHardening, StaleTemporariesOfDeadWritersAreRemoved) {
  TempDir dir;
  std::string trace = testing::SourcePath("samples/timers/trace");
  for (const char* cmd : {"replay", "convert", "graph"}) {
    std::string out = dir.File(std::string("out-") + cmd);
    std::string dead = out + ".tmp-" + std::to_string(DeadPid());
    std::string live = out + ".tmp-" + std::to_string(getpid());
    std::string not_ours = out + ".tmp-1.bak";
    std::string other_output = dir.File("other.tmp-" + std::to_string(DeadPid()));
    for (const auto& f : {dead, live, not_ours, other_output}) testing::WriteFile(f, "partial");
    auto r = RunCommand(Bin() + " " + cmd + " " + Quote(trace) + " -o " + Quote(out));
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_TRUE(fs::exists(out)) << cmd;
    EXPECT_FALSE(fs::exists(dead)) << cmd << " left the temporary of a dead process";
    EXPECT_TRUE(fs::exists(live)) << cmd << " removed the temporary of a live process";
    EXPECT_TRUE(fs::exists(not_ours)) << cmd;
    EXPECT_TRUE(fs::exists(other_output)) << cmd << " removed another output's temporary";
  }
}


// A small real file system that fills up: a tmpfs mounted for the test.
// Needs CAP_SYS_ADMIN (CI runs as root); empty path() when mount is refused.
class SmallFileSystem {
 public:
  SmallFileSystem(const std::string& at, const char* size) : at_(at) {
    fs::create_directories(at);
    std::string options = std::string("size=") + size;
    if (mount("tmpfs", at.c_str(), "tmpfs", 0, options.c_str()) == 0) mounted_ = true;
  }
  ~SmallFileSystem() {
    if (mounted_) umount2(at_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string at_;
  bool mounted_ = false;
};

// A full disk while recording: the program runs on with its own exit code,
// but the recording is said to be INCOMPLETE because the disk is full (not
// an "internal error", not a kill), the manifest says so, no temporary is
// left behind, and stats, replay and check give the same reason.
TEST(RecordHardening, ADiskThatFillsUpIsReportedAsSuch) {
  TempDir dir;
  SmallFileSystem small(dir.File("fs"), "1M");
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  std::string trace = dir.File("fs/t");
  // ~100k Immediates: ~20 MB of records into 1 MB; then the program goes
  // on unrecorded and exits 0.
  auto r = RunCommand(Bin() + " record --stacks none -o " + Quote(trace) +
                      " -- node -e 'let n = 0; function tick() { if (++n < 100000) setImmediate(tick); else "
                      "console.log(\"done\"); } tick();'");
  EXPECT_EQ(r.exit_code, 124) << "the program exited 0 but the recording is incomplete: " << r.err;
  EXPECT_EQ(r.out, "done\n") << "the program ran to its end";
  EXPECT_NE(r.err.find("disk full (ENOSPC) while writing " + trace + "/p"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("recording INCOMPLETE (the disk filled up)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("killed"), std::string::npos) << r.err;

  auto manifest = nlohmann::json::parse(testing::ReadFile(trace + "/manifest.json"));
  EXPECT_EQ(manifest["status"], "incomplete");
  EXPECT_EQ(manifest["diskFull"], true);
  EXPECT_EQ(manifest["exitCode"], 0);
  ASSERT_TRUE(manifest["incomplete"].is_array());
  EXPECT_NE(manifest["incomplete"][0].get<std::string>().find("disk full (ENOSPC)"), std::string::npos);
  for (const auto& entry : fs::directory_iterator(trace)) {
    std::string name = entry.path().filename().string();
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << "temporary left behind: " << name;
  }

  auto stats = RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("no clean end: the recorder stopped: disk full (ENOSPC)"), std::string::npos) << stats.out;
  EXPECT_EQ(stats.out.find("killed"), std::string::npos) << stats.out;
  auto json = RunCommand(Bin() + " stats --format json " + Quote(trace));
  auto j = nlohmann::json::parse(json.out);
  EXPECT_NE(j["streams"][0]["stopReason"].get<std::string>().find("disk full (ENOSPC)"), std::string::npos);

  // Replay and check (outputs beside, not on the full file system).
  auto replay = RunCommand(Bin() + " replay " + Quote(trace) + " -o " + Quote(dir.File("t.db")));
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  std::string cut = testing::QueryRows(dir.File("t.db"), "SELECT message FROM finding WHERE kind = 'stream-cut-short'");
  EXPECT_NE(cut.find("disk full (ENOSPC)"), std::string::npos) << cut;
  EXPECT_EQ(cut.find("killed"), std::string::npos) << cut;
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT count(*) FROM finding WHERE kind = 'recorder-failed'"), "0\n")
      << "the stop is said once, with its stream";
  ExpectCheckFailsAsIncomplete(trace, "disk full (ENOSPC)", "The disk filled up while recording: free space");
}

// The marker's reason when the recorder could write it (here by hand):
// what it says, with its stream; and a marker left empty by a full disk
// still says "disk full" through its name.
TEST(RecordHardening, StopMarkersExplainAStreamCutShort) {
  TempDir dir;
  std::string trace = dir.File("t");
  auto r = RunCommand(Bin() + " record -o " + Quote(trace) + " -- node -e 'setTimeout(() => {}, 1)'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto streams = ListStreamFiles(trace);
  ASSERT_EQ(streams.size(), 1u);
  long long pid = 0;
  ASSERT_EQ(std::sscanf(fs::path(streams[0]).filename().c_str(), "p%lld", &pid), 1);
  // Cut the end record off, as a recorder that stopped leaves it.
  fs::resize_file(streams[0], fs::file_size(streams[0]) - 56);
  std::string marker = trace + "/p" + std::to_string(pid) + "-t0.EDQUOT.failed";
  testing::WriteFile(marker, "");
  auto stats = RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_NE(stats.out.find("no clean end: the recorder stopped: disk quota exceeded (EDQUOT)"), std::string::npos)
      << stats.out;
  testing::WriteFile(marker, "{\"pid\":" + std::to_string(pid) +
                                 ",\"threadId\":0,\"error\":\"recording stopped: disk quota exceeded (EDQUOT) while "
                                 "writing x.ahs\"}\n");
  auto check = RunCommand(Bin() + " check --no-context " + Quote(trace));
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("stream-cut-short: pid " + std::to_string(pid)), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("recording stopped: disk quota exceeded (EDQUOT) while writing x.ahs"), std::string::npos)
      << check.out;
  EXPECT_EQ(check.out.find("recorder-failed"), std::string::npos) << check.out;
  // A second recording replaces such a trace (markers are part of it).
  auto again = RunCommand(Bin() + " record -o " + Quote(trace) + " -- node -e 1");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(fs::exists(marker));
}

// `record --max-size` on a run that writes ~50 times the bound: while the
// program runs, the oldest segments go, the newest stay, and every reader
// says what is missing instead of judging a part as the whole.
const char kRequestLoop[] =
    "const { AsyncLocalStorage } = require(\"async_hooks\"); const als = new AsyncLocalStorage(); let n = 0;"
    "async function handle(id) { await new Promise((r) => setImmediate(r));"
    "  if (als.getStore().id !== id) throw new Error(\"lost\"); await Promise.resolve(); }"
    "function loop() { const batch = []; for (let i = 0; i < 200; i++) { const id = ++n;"
    "  batch.push(als.run({ id }, () => handle(id))); }"
    "  Promise.all(batch).then(() => { if (n < LIMIT) setTimeout(loop, 0); else console.log(\"done\"); }); }"
    "loop();";

std::string RequestLoop(int limit) {
  std::string program = kRequestLoop;
  program.replace(program.find("LIMIT"), 5, std::to_string(limit));
  return program;
}

uint64_t StreamBytes(const std::string& trace) {
  uint64_t total = 0;
  for (const auto& file : ListStreamFiles(trace)) total += fs::file_size(file);
  return total;
}

TEST(RecordMaxSize, KeepsTheNewestSegmentsAndSaysWhatWasDropped) {
  TempDir dir;
  std::string trace = dir.File("t");
  testing::WriteFile(dir.File("app.js"), RequestLoop(150000));
  auto r = RunCommand(Bin() + " record --max-size 8M -o " + Quote(trace) + " -- node " + Quote(dir.File("app.js")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  EXPECT_NE(r.err.find("--max-size 8M: deleted the "), std::string::npos) << r.err;
  EXPECT_LE(StreamBytes(trace), 8u << 20);
  EXPECT_GT(StreamBytes(trace), 6u << 20) << "about 7/8 of the bound is kept";

  auto manifest = nlohmann::json::parse(testing::ReadFile(trace + "/manifest.json"));
  EXPECT_EQ(manifest["status"], "exited");
  EXPECT_EQ(manifest["maxSize"], 8u << 20);
  EXPECT_GT(manifest["dropped"]["segments"].get<int>(), 10);
  EXPECT_EQ(manifest["dropped"]["streams"].size(), 1u);

  auto streams = ListStreams(trace);
  ASSERT_EQ(streams.size(), 1u);
  uint64_t first = streams[0].segments.front().first;
  EXPECT_GT(first, 0u);
  for (size_t i = 1; i < streams[0].segments.size(); ++i)
    EXPECT_EQ(streams[0].segments[i].first, first + i) << "the kept segments are the newest, without a gap";

  auto stats = RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("exit 0  (read from segment " + std::to_string(first) +
                           ": the older ones were deleted by --max-size)"),
            std::string::npos)
      << stats.out;

  // The kept part replays whole: the only error is that it is a part.
  testing::ReplayInto(trace, dir.File("t.db"));
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT kind FROM finding WHERE severity = 'error'"),
            "data-dropped\n");
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"),
                               "SELECT count(*) > 1000, sum(store_id = 0) FROM store_read"),
            "1|0\n")
      << "reads in the kept part see their request's store";

  // Converted, the trace still says it is a part.
  auto convert = RunCommand(Bin() + " convert " + Quote(trace) + " -o " + Quote(dir.File("t.ndjson")));
  ASSERT_EQ(convert.exit_code, 0) << convert.err;
  testing::ReplayInto(dir.File("t.ndjson"), dir.File("n.db"));
  EXPECT_EQ(testing::QueryRows(dir.File("n.db"), "SELECT kind FROM finding WHERE severity = 'error'"),
            "data-dropped\n");

  // A verdict on a part would be a guess.
  ExpectCheckFailsAsIncomplete(trace, "data-dropped: pid ", "deleted the oldest part of the recording");
}

// Segments that were all kept read as one stream: the strings, stores and
// sources each segment defines again are the same ones, and nothing is
// reported.
TEST(RecordMaxSize, AllSegmentsKeptReadAsOneStream) {
  TempDir dir;
  std::string trace = dir.File("t");
  testing::WriteFile(dir.File("app.js"), RequestLoop(12000));
  auto r = RunCommand(Bin() + " record --max-size 64M -o " + Quote(trace) + " -- node " + Quote(dir.File("app.js")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto streams = ListStreams(trace);
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_GE(streams[0].segments.size(), 2u) << "a stream of ~25 MB in 8 MiB segments";
  EXPECT_EQ(streams[0].segments.front().first, 0u);
  testing::ReplayInto(trace, dir.File("t.db"));
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT count(*) FROM finding"), "0\n");
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT count(*), sum(store_id = 0) FROM store_read"),
            "12000|0\n");
  auto check = RunCommand(Bin() + " check --no-context " + Quote(trace));
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

TEST(RecordMaxSize, ABoundTooSmallOrNotASizeIsAUsageError) {
  TempDir dir;
  auto small = RunCommand(Bin() + " record --max-size 1M -o " + Quote(dir.File("t")) + " -- node -e 1");
  EXPECT_EQ(small.exit_code, 2);
  EXPECT_NE(small.err.find("--max-size must be at least 8M"), std::string::npos) << small.err;
  auto junk = RunCommand(Bin() + " record --max-size 12parsecs -o " + Quote(dir.File("t")) + " -- node -e 1");
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_NE(junk.err.find("\"12parsecs\" is not a size"), std::string::npos) << junk.err;
  EXPECT_FALSE(fs::exists(dir.File("t"))) << "nothing is written on a usage error";
}

}  // namespace
}  // namespace ahtrace
