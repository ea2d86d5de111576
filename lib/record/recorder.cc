#include "record/recorder.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "trace/reader.h"

extern char** environ;

namespace ahtrace::record {
extern const char kPreloadJs[];
const char* PreloadSource() { return kPreloadJs; }

namespace fs = std::filesystem;
namespace {

constexpr int kMinNodeMajor = 20;

bool WriteFileAtomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << content;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

// Finds `name` the way execvp would; empty when not found.
std::string ResolveCommand(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
    start = end + 1;
  }
  return {};
}

// Runs `exe --version` and returns its first line ("v20.20.2"), or empty.
std::string NodeVersionOf(const std::string& exe) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  pid_t pid = fork();
  if (pid < 0) return {};
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) dup2(devnull, 0);
    unsetenv("NODE_OPTIONS");
    execl(exe.c_str(), exe.c_str(), "--version", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0 && out.size() < 4096) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return out.substr(0, out.find('\n'));
}

// Runtimes that offer node:async_hooks' AsyncLocalStorage without its hook
// events (checked with bun 1.4.5 and deno 2.9.6: createHook callbacks got
// no event at all in bun, timers only in deno; deno documents its
// AsyncResource as a stub). They are recorded in ALS-only mode: the preload
// goes in through their own flag (neither reads NODE_OPTIONS), writes
// AsyncLocalStorage activity with call sites and marks the stream
// hookEvents: false, and check runs only the rules that need no hook events.
const char* RuntimeWithoutHooks(const std::string& exe) {
  std::string base = fs::path(exe).filename().string();
  if (base == "bun" || base == "bunx" || base.rfind("bun-", 0) == 0) return "Bun";
  if (base == "deno" || base.rfind("deno-", 0) == 0) return "Deno";
  return nullptr;
}

bool LooksLikeNode(const std::string& exe) {
  std::string base = fs::path(exe).filename().string();
  return base == "node" || base == "nodejs" || base.rfind("node", 0) == 0;
}

// Empties an existing trace directory; refuses a directory that holds
// anything else, so a typo cannot wipe unrelated files.
Status PrepareOutputDir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      return OutputError(dir.string() + ": exists and is not a directory (a trace is a directory)");
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      bool ours = entry.path().extension() == ".ahs" || name == "manifest.json" || name == ".preload.js" ||
                  name == "manifest.json.tmp";
      if (!ours)
        return OutputError(dir.string() + ": exists and holds files that are not part of a trace (" + name +
                           "); choose another output path");
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove(entry.path(), ec);
  }
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) return OutputError(dir.string() + ": cannot create directory: " + ec.message());
  if (access(dir.c_str(), W_OK) != 0)
    return OutputError(dir.string() + ": directory is not writable: " + std::strerror(errno));
  return Status::Ok();
}

std::string ShellQuoteForNodeOptions(const std::string& s) {
  // NODE_OPTIONS splits on spaces and honours double quotes with backslash escapes.
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

volatile sig_atomic_t g_child_pid = 0;
void ForwardSignal(int sig) {
  if (g_child_pid > 0) kill(static_cast<pid_t>(g_child_pid), sig);
}

}  // namespace

Status Record(const RecordOptions& options, RecordResult* result) {
  result->exit_code = kExitRecorderFailed;
  if (options.command.empty()) {
    result->exit_code = static_cast<int>(StatusCode::kUsage);
    return UsageError("no command given: use `ahtrace record -o app.trace -- node app.js`");
  }
  if (options.stacks != "none" && options.stacks != "als" && options.stacks != "default" && options.stacks != "all") {
    result->exit_code = static_cast<int>(StatusCode::kUsage);
    return UsageError("--stacks must be none, als, default or all (got \"" + options.stacks + "\")");
  }
  const std::string& program = options.command[0];
  std::string exe = ResolveCommand(program);
  if (exe.empty()) {
    result->exit_code = kExitNotFound;
    return Status::Error(StatusCode::kUsage, program + ": command not found");
  }
  if (access(exe.c_str(), X_OK) != 0 || fs::is_directory(exe)) {
    result->exit_code = kExitNotExecutable;
    return Status::Error(StatusCode::kUsage, exe + ": not executable");
  }
  // Where the preload goes on the command line (Bun, Deno); 0 = through
  // NODE_OPTIONS (node).
  size_t preload_at = 0;
  std::string preload_flag;
  const char* runtime = RuntimeWithoutHooks(exe);
  if (runtime && std::string(runtime) == "Bun") {
    preload_at = 1;
    preload_flag = "--preload";
  } else if (runtime) {
    // deno run|test [flags] file: the preload is a CommonJS module.
    if (options.command.size() < 2 || (options.command[1] != "run" && options.command[1] != "test"))
      return Status::Error(StatusCode::kUsage, "ahtrace records `deno run ...` and `deno test ...` only (got `" +
                                                   program + (options.command.size() > 1 ? " " + options.command[1] : "") +
                                                   "`)");
    preload_at = 2;
    preload_flag = "--require";
  }
  if (runtime) {
    result->warnings.push_back(
        std::string(runtime) + " emits no async_hooks events: only AsyncLocalStorage activity is recorded, child "
                               "processes are not, and check can run only the rules that need no hook events "
                               "(--expect-store, --baseline)");
  }
  if (!runtime && LooksLikeNode(exe)) {
    std::string version = NodeVersionOf(exe);
    int major = NodeMajorVersion(version);
    if (major < 0)
      return Status::Error(StatusCode::kUsage, exe + ": does not answer --version like node (got \"" + version + "\")");
    if (major < kMinNodeMajor)
      return Status::Error(StatusCode::kUsage, exe + " is node " + version + "; ahtrace needs node >= " +
                                                   std::to_string(kMinNodeMajor));
  }

  fs::path dir = fs::absolute(options.output_dir);
  result->exit_code = static_cast<int>(StatusCode::kOutput);
  Status st = PrepareOutputDir(dir);
  if (!st.ok()) return st;
  fs::path preload = dir / ".preload.js";
  if (!WriteFileAtomically(preload, kPreloadJs))
    return OutputError(preload.string() + ": cannot write the recorder");
  nlohmann::json manifest = {{"format", "ahtrace-trace"},
                             {"version", kTraceFormatVersion},
                             {"ahtrace", AHTRACE_VERSION},
                             {"command", options.command},
                             {"stacks", options.stacks},
                             {"status", "running"}};
  if (!WriteFileAtomically(dir / "manifest.json", manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"))
    return OutputError((dir / "manifest.json").string() + ": cannot write");

  std::string node_options = "--require=" + ShellQuoteForNodeOptions(preload.string());
  if (const char* existing = std::getenv("NODE_OPTIONS"); existing && *existing)
    node_options += std::string(" ") + existing;

  result->exit_code = kExitRecorderFailed;
  // An exec failure in the child comes back through this close-on-exec pipe.
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) != 0) return InternalError(std::string("pipe: ") + std::strerror(errno));

  struct sigaction ignore {}, forward {}, old_int {}, old_quit {}, old_term {}, old_hup {};
  ignore.sa_handler = SIG_IGN;
  forward.sa_handler = ForwardSignal;
  // Like system(3): the terminal's SIGINT/SIGQUIT reach the program through
  // its process group; we only wait for its verdict.
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);

  pid_t pid = fork();
  if (pid < 0) return InternalError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    close(errpipe[0]);
    setenv("AHTRACE_DIR", dir.c_str(), 1);
    setenv("AHTRACE_STACKS", options.stacks.c_str(), 1);
    setenv("NODE_OPTIONS", node_options.c_str(), 1);
    std::vector<std::string> args = options.command;
    if (preload_at > 0) args.insert(args.begin() + static_cast<std::ptrdiff_t>(preload_at), {preload_flag, preload.string()});
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    int err = errno;
    ssize_t ignored = write(errpipe[1], &err, sizeof err);
    (void)ignored;
    _exit(err == ENOENT ? kExitNotFound : kExitNotExecutable);
  }
  g_child_pid = pid;
  sigaction(SIGTERM, &forward, &old_term);
  sigaction(SIGHUP, &forward, &old_hup);
  close(errpipe[1]);
  int exec_errno = 0;
  ssize_t got;
  do {
    got = read(errpipe[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  close(errpipe[0]);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child_pid = 0;
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);

  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    result->exit_code = exec_errno == ENOENT ? kExitNotFound : kExitNotExecutable;
    return Status::Error(StatusCode::kUsage, exe + ": cannot execute: " + std::strerror(exec_errno));
  }
  if (WIFSIGNALED(status)) {
    result->signaled = true;
    result->signal = WTERMSIG(status);
    result->exit_code = 128 + result->signal;
  } else {
    result->exit_code = WEXITSTATUS(status);
  }
  int program_exit = result->exit_code;

  auto streams = ListStreamFiles(dir.string());
  auto failures = ListRecorderFailures(dir.string());
  result->streams = streams.size();
  manifest["status"] = result->signaled ? "signaled" : "exited";
  manifest["exitCode"] = program_exit;
  if (result->signaled) manifest["signal"] = result->signal;
  manifest["streams"] = streams.size();
  WriteFileAtomically(dir / "manifest.json", manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");

  if (streams.empty()) {
    result->exit_code = kExitRecorderFailed;
    std::string why = failures.empty() ? "`" + program + "` did not start node >= 20 (or reset NODE_OPTIONS for its children)"
                                       : "the recorder failed to start: " + failures[0].message;
    return Status::Error(StatusCode::kUsage,
                         "no node process was recorded: " + why + "; program exited with " + std::to_string(program_exit));
  }
  // Never a silent green: every process and thread that started must have
  // a stream with events that ends with its end record.
  for (const auto& failure : failures)
    result->incomplete.push_back("pid " + std::to_string(failure.pid) + " thread " + std::to_string(failure.thread_id) +
                                 " was not recorded: " + failure.message);
  for (const auto& file : streams) {
    StreamTail tail = InspectStreamTail(file);
    std::string name = fs::path(file).filename().string();
    if (!tail.header_ok) {
      result->incomplete.push_back(name + ": no readable header (the process died as it started)");
    } else if (tail.record_bytes == 0) {
      result->incomplete.push_back(name + ": no events (the process was killed before its first flush, or its "
                                          "recorder stopped)");
    } else if (!tail.ended) {
      result->incomplete.push_back(name + ": no end record (the process was killed or crashed: what it did after its "
                                          "last flush is missing)");
    }
  }
  if (!result->incomplete.empty() && program_exit == 0) result->exit_code = kExitRecordingIncomplete;
  return Status::Ok();
}

}  // namespace ahtrace::record
