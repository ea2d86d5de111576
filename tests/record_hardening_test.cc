// What `record` and the output writers do so that the user's data is not
// lost: one recorder per trace directory, the program's life tied to
// record's, a full disk said as what it is, and no stale temporaries.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
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

}  // namespace
}  // namespace ahtrace
