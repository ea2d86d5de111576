#include "record/recorder.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>
#include <tuple>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/io_error.h"
#include "trace/reader.h"
#include "trace/recorder_stop.h"

extern char** environ;

namespace ahtrace::record {
extern const char kPreloadJs[];
extern const char kParserJs[];  // acorn, or empty when the build had none (CMakeLists.txt)
const char* PreloadSource() { return kPreloadJs; }

namespace fs = std::filesystem;
namespace {

constexpr int kMinNodeMajor = 20;

// Writes all of `content` to `fd`; false with errno set on failure.
bool WriteAll(int fd, const std::string& content, off_t offset) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = pwrite(fd, content.data() + done, content.size() - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Writes `content` to <path>.tmp and renames it over `path`. On failure the
// temporary is removed (a full disk used to leave a 0-byte one behind) and
// the status names the file and says why.
Status WriteFileAtomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return OutputError(tmp.string() + ": cannot create: " + IoErrorText(errno));
  bool written = WriteAll(fd, content, 0);
  int err = errno;
  if (close(fd) != 0 && written) {
    written = false;
    err = errno;
  }
  if (!written) {
    unlink(tmp.c_str());
    return OutputError(path.string() + ": cannot write: " + IoErrorText(err));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    unlink(tmp.c_str());
    return OutputError(path.string() + ": cannot rename into place: " + IoErrorText(err));
  }
  return Status::Ok();
}

std::string ManifestText(const nlohmann::json& manifest) {
  return manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Writes the final manifest. Atomically (temporary and rename) when it can;
// when that fails (the disk is full: the recording likely stopped for the
// same reason), over the padded start manifest, in place: those blocks are
// allocated already, so the manifest still says how the recording ended
// (on file systems that overwrite in place; not copy-on-write ones). The
// list of what is incomplete is cut to fit the reserve if need be.
Status UpdateManifest(const fs::path& path, nlohmann::json manifest, size_t reserved) {
  Status atomic = WriteFileAtomically(path, ManifestText(manifest));
  if (atomic.ok()) return atomic;
  std::string text = ManifestText(manifest);
  size_t omitted = 0;
  while (text.size() > reserved && manifest.contains("incomplete") && manifest["incomplete"].size() > 1) {
    manifest["incomplete"].erase(manifest["incomplete"].size() - 1);
    manifest["incompleteOmitted"] = ++omitted;
    text = ManifestText(manifest);
  }
  if (text.size() > reserved) return atomic;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return atomic;
  struct stat info {};
  bool fits = fstat(fd, &info) == 0 && static_cast<size_t>(info.st_size) >= text.size();
  if (fits) {
    text.resize(static_cast<size_t>(info.st_size) - 1, ' ');
    text += '\n';
  }
  bool written = fits && WriteAll(fd, text, 0);
  bool closed = close(fd) == 0;
  return written && closed ? Status::Ok() : atomic;
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

// The lock file `record` holds while it writes into a trace directory.
constexpr const char* kLockFileName = ".lock";

// Files a trace directory may hold (written by record, the preload, or a
// recorder that stopped): anything else means the path is not a trace.
bool IsTraceFile(const fs::path& path) {
  std::string name = path.filename().string();
  std::string ext = path.extension().string();
  return ext == ".ahs" || ext == ".failed" || name == "manifest.json" || name == ".preload.js" || name == ".parser.js" ||
         name == kLockFileName || name.rfind("manifest.json.tmp", 0) == 0;
}

// Refuses, before anything is touched, an output path that is not a trace
// directory (a file, or a directory holding anything else): a typo in -o
// must not wipe unrelated files.
Status CheckOutputDir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::Ok();
  if (!fs::is_directory(dir, ec))
    return OutputError(dir.string() + ": exists and is not a directory (a trace is a directory)");
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!IsTraceFile(entry.path()))
      return OutputError(dir.string() + ": exists and holds files that are not part of a trace (" +
                         entry.path().filename().string() + "); choose another output path");
  }
  if (ec) return OutputError(dir.string() + ": cannot list: " + ec.message());
  return Status::Ok();
}

// One recorder per trace directory: `record` holds an exclusive flock on
// <dir>/.lock from before it clears the directory until it has written the
// final manifest. Without it a second `record -o` on the same path deleted
// the first's live streams, or both wrote into one directory, and both
// reported success. The lock file holds the owner's pid (for the refusal
// message) and is never removed: unlinking it would let a third recorder
// lock a fresh file while the second still holds the old one. Readers
// ignore it (it is neither a stream nor a marker). O_CLOEXEC: the program
// must not inherit it, or a recorder killed with SIGKILL would leave the
// directory locked for as long as the program lives.
class TraceDirLock {
 public:
  TraceDirLock() = default;
  TraceDirLock(const TraceDirLock&) = delete;
  TraceDirLock& operator=(const TraceDirLock&) = delete;
  ~TraceDirLock() {
    if (fd_ >= 0) close(fd_);  // releases the flock
  }

  // Ok when locked. *busy is set when another process holds the lock.
  Status Acquire(const fs::path& dir, bool* busy) {
    *busy = false;
    fs::path path = dir / kLockFileName;
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return OutputError(path.string() + ": cannot open the lock file: " + std::strerror(errno));
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      if (err != EWOULDBLOCK)
        return OutputError(path.string() + ": cannot lock: " + std::strerror(err));
      *busy = true;
      std::string owner = ReadOwner();
      return Status::Error(StatusCode::kUsage,
                           dir.string() + ": another `ahtrace record` (" +
                               (owner.empty() ? std::string("pid unknown") : "pid " + owner) +
                               ") is recording into this trace directory; wait for it to end or choose another -o");
    }
    // Best effort: the pid only makes a refusal message more useful, and on
    // a full disk it cannot be written (the lock holds all the same).
    std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd_, 0) == 0) {
      ssize_t ignored = pwrite(fd_, pid.data(), pid.size(), 0);
      (void)ignored;
    }
    return Status::Ok();
  }

 private:
  std::string ReadOwner() const {
    char buf[32] = {0};
    ssize_t n = pread(fd_, buf, sizeof buf - 1, 0);
    std::string text = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    text = text.substr(0, text.find('\n'));
    bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    return digits ? text : std::string();
  }

  int fd_ = -1;
};

// Empties a trace directory that this process holds the lock of (all but
// the lock file), creating it if needed.
Status ClearOutputDir(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() == kLockFileName) continue;
    std::error_code rm_ec;
    fs::remove(entry.path(), rm_ec);
    if (rm_ec) return OutputError(entry.path().string() + ": cannot remove the previous recording's file: " + rm_ec.message());
  }
  if (ec) return OutputError(dir.string() + ": cannot list: " + ec.message());
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

// `--max-size`: deletes the oldest closed segments (every stream's but its
// newest, which its recorder is writing) while the trace's streams take
// more than `max_size` bytes. Oldest by modification time: a closed
// segment is not written again, so its time is when it was finished.
void KeepUnderBound(const fs::path& dir, uint64_t max_size, bool final_pass, DroppedData* dropped) {
  struct Closed {
    int64_t mtime_ns;
    std::string path, stem;
    uint64_t size;
  };
  uint64_t total = 0;
  std::vector<Closed> closed;
  for (const auto& stream : ListStreams(dir.string())) {
    for (size_t i = 0; i < stream.segments.size(); ++i) {
      const std::string& path = stream.segments[i].second;
      struct stat info {};
      if (stat(path.c_str(), &info) != 0) continue;
      total += static_cast<uint64_t>(info.st_size);
      if (i + 1 < stream.segments.size()) {
        int64_t mtime = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
        closed.push_back({mtime, path, stream.stem, static_cast<uint64_t>(info.st_size)});
      }
    }
  }
  if (total <= max_size) return;
  std::sort(closed.begin(), closed.end(),
            [](const Closed& x, const Closed& y) { return std::tie(x.mtime_ns, x.path) < std::tie(y.mtime_ns, y.path); });
  for (const auto& segment : closed) {
    if (total <= max_size) break;
    if (unlink(segment.path.c_str()) != 0) continue;
    total -= segment.size;
    ++dropped->segments;
    dropped->bytes += segment.size;
    if (std::find(dropped->streams.begin(), dropped->streams.end(), segment.stem) == dropped->streams.end())
      dropped->streams.push_back(segment.stem);
  }
  if (final_pass && total > max_size) dropped->over_bound = true;
}

volatile sig_atomic_t g_child_pid = 0;
void ForwardSignal(int sig) {
  if (g_child_pid > 0) kill(static_cast<pid_t>(g_child_pid), sig);
}

}  // namespace

bool ParseByteSize(const std::string& text, uint64_t* bytes) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) return false;
  uint64_t value = std::stoull(text.substr(0, digits));
  std::string unit = text.substr(digits);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = -1;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KB" || unit == "KIB") shift = 10;
  else if (unit == "M" || unit == "MB" || unit == "MIB") shift = 20;
  else if (unit == "G" || unit == "GB" || unit == "GIB") shift = 30;
  else if (unit == "T" || unit == "TB" || unit == "TIB") shift = 40;
  if (shift < 0 || value > (UINT64_MAX >> shift)) return false;
  *bytes = value << shift;
  return true;
}

uint64_t SegmentBytesFor(uint64_t max_size) {
  // Eight segments per bound: the trace keeps at least 7/8 of it once full,
  // and a rotation (which writes the strings and sources again) is rare.
  return std::clamp<uint64_t>(max_size / 8, 1ull << 20, 256ull << 20);
}

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
  if (options.max_size != 0 && options.max_size < kMinMaxSize) {
    result->exit_code = static_cast<int>(StatusCode::kUsage);
    return UsageError("--max-size must be at least 8M (a trace keeps about eight segments of an eighth of it)");
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
  Status st = CheckOutputDir(dir);
  if (!st.ok()) return st;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) return OutputError(dir.string() + ": cannot create directory: " + ec.message());
  // Locked before anything in the directory is removed or written.
  TraceDirLock lock;
  bool busy = false;
  st = lock.Acquire(dir, &busy);
  if (busy) result->exit_code = kExitRecorderFailed;
  if (!st.ok()) return st;
  st = ClearOutputDir(dir);
  if (!st.ok()) return st;
  fs::path preload = dir / ".preload.js";
  st = WriteFileAtomically(preload, kPreloadJs);
  if (!st.ok()) return OutputError("cannot install the recorder: " + st.message());
  // The parser the preload instruments the program's own modules with (the
  // wrong-store rule); left out with --no-instrument or when the build had
  // none, and the stream headers then say closureOwnership: false.
  bool instrument = options.instrument && kParserJs[0] != '\0';
  if (instrument) {
    st = WriteFileAtomically(dir / ".parser.js", kParserJs);
    if (!st.ok()) return OutputError("cannot install the recorder: " + st.message());
  } else if (options.instrument) {
    result->warnings.push_back(
        "this ahtrace was built without a JavaScript parser (scripts/install-parser.sh): the program's modules "
        "are not instrumented, so check cannot tell a wrong store from a right one");
  }
  nlohmann::json manifest = {{"format", "ahtrace-trace"},
                             {"version", kTraceFormatVersion},
                             {"ahtrace", AHTRACE_VERSION},
                             {"command", options.command},
                             {"stacks", options.stacks},
                             {"status", "running"}};
  // Padded with spaces (valid JSON) so that the final manifest can be
  // written over it in place when the disk fills up during the recording
  // (UpdateManifest).
  std::string manifest_text = ManifestText(manifest);
  size_t manifest_reserved = (manifest_text.size() / 4096 + 2) * 4096;
  manifest_text.resize(manifest_reserved - 1, ' ');
  manifest_text += '\n';
  st = WriteFileAtomically(dir / "manifest.json", manifest_text);
  if (!st.ok()) return st;

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

  pid_t recorder_pid = getpid();
  pid_t pid = fork();
  if (pid < 0) return InternalError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The program dies with `record` (SIGKILL, a crash: nothing of ours
    // runs then), instead of running on unobserved into a directory whose
    // lock is gone. The kernel sends the signal when the thread that forked
    // exits: `record` forks from its only thread. If `record` died before
    // prctl took effect, the parent pid has changed already.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != recorder_pid) _exit(kExitRecorderFailed);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    close(errpipe[0]);
    setenv("AHTRACE_DIR", dir.c_str(), 1);
    setenv("AHTRACE_STACKS", options.stacks.c_str(), 1);
    setenv("AHTRACE_INSTRUMENT", instrument ? "1" : "0", 1);
    setenv("AHTRACE_SOURCE_MAPS", options.source_maps ? "1" : "0", 1);
    if (options.max_size > 0)
      setenv("AHTRACE_SEGMENT_BYTES", std::to_string(SegmentBytesFor(options.max_size)).c_str(), 1);
    else
      unsetenv("AHTRACE_SEGMENT_BYTES");
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
  if (options.max_size == 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  } else {
    // The bound is kept while the program runs: ten times a second, what
    // passes it is deleted, oldest first.
    for (;;) {
      pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno != EINTR)) break;
      KeepUnderBound(dir, options.max_size, false, &result->dropped);
      struct timespec pause {0, 100 * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
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

  if (options.max_size > 0) KeepUnderBound(dir, options.max_size, true, &result->dropped);
  auto streams = ListStreams(dir.string());
  auto failures = ListRecorderFailures(dir.string());
  result->streams = streams.size();
  std::string no_node;
  if (streams.empty()) {
    no_node = "no node process was recorded: " +
              (failures.empty() ? "`" + program + "` did not start node >= 20 (or reset NODE_OPTIONS for its children)"
                                : "the recorder failed to start: " + RecorderFailureReason(failures[0])) +
              "; program exited with " + std::to_string(program_exit);
  }

  // Never a silent green: every process and thread that started must have
  // a stream with events that ends with its end record. A stream whose
  // recorder left a marker stopped for the marker's reason (a full disk),
  // not because the process was killed.
  std::set<std::pair<long long, long long>> with_stream;
  for (const auto& stream : streams) {
    // A segmented stream's end is in its newest segment.
    const std::string& file = stream.segments.back().second;
    std::string name = fs::path(file).filename().string();
    long long pid = 0, thread = 0;
    const RecorderFailure* stop = nullptr;
    if (std::sscanf(name.c_str(), "p%lld-t%lld", &pid, &thread) == 2) {
      with_stream.insert({pid, thread});
      stop = FindRecorderFailure(failures, pid, thread);
    }
    if (stop && IsDiskFullCode(RecorderFailureCode(*stop))) result->disk_full = true;
    StreamTail tail = InspectStreamTail(file);
    if (stop && !tail.ended) {
      result->incomplete.push_back(name + ": " + RecorderFailureReason(*stop));
    } else if (!tail.header_ok) {
      result->incomplete.push_back(name + ": no readable header (the process died as it started)");
    } else if (tail.record_bytes == 0) {
      result->incomplete.push_back(name + ": no events (the process was killed before its first flush, or its "
                                          "recorder stopped)");
    } else if (!tail.ended) {
      result->incomplete.push_back(name + ": no end record (the process was killed or crashed: what it did after its "
                                          "last flush is missing)");
    }
  }
  for (const auto& failure : failures) {
    if (IsDiskFullCode(RecorderFailureCode(failure))) result->disk_full = true;
    if (with_stream.count({failure.pid, failure.thread_id})) continue;  // said with its stream
    result->incomplete.push_back("pid " + std::to_string(failure.pid) + " thread " + std::to_string(failure.thread_id) +
                                 " was not recorded: " + RecorderFailureReason(failure));
  }

  manifest["status"] = !streams.empty() && result->incomplete.empty() ? (result->signaled ? "signaled" : "exited")
                                                                      : "incomplete";
  manifest["program"] = result->signaled ? "signaled" : "exited";
  manifest["exitCode"] = program_exit;
  if (result->signaled) manifest["signal"] = result->signal;
  manifest["streams"] = streams.size();
  if (!no_node.empty()) manifest["incomplete"] = nlohmann::json::array({no_node});
  if (!result->incomplete.empty()) manifest["incomplete"] = result->incomplete;
  if (result->disk_full) manifest["diskFull"] = true;
  if (options.max_size > 0) {
    manifest["maxSize"] = options.max_size;
    manifest["segmentBytes"] = SegmentBytesFor(options.max_size);
    const DroppedData& dropped = result->dropped;
    manifest["dropped"] = {{"segments", dropped.segments}, {"bytes", dropped.bytes}, {"streams", dropped.streams}};
    if (dropped.over_bound) manifest["dropped"]["overBound"] = true;
  }
  st = UpdateManifest(dir / "manifest.json", manifest, manifest_reserved);
  if (!st.ok()) {
    if (st.message().find("(ENOSPC)") != std::string::npos) result->disk_full = true;
    result->incomplete.push_back(st.message() + " (it may still say \"running\")");
  }

  if (streams.empty()) {
    result->exit_code = kExitRecorderFailed;
    return Status::Error(StatusCode::kUsage, no_node);
  }
  if (!result->incomplete.empty() && program_exit == 0) result->exit_code = kExitRecordingIncomplete;
  return Status::Ok();
}

}  // namespace ahtrace::record
