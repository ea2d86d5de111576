#include "common/output_file.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <cstdio>
#include <filesystem>

#include "common/io_error.h"

namespace ahtrace {

std::string TemporaryPathFor(const std::string& path) {
  RemoveStaleTemporaries(path);
  return path + ".tmp-" + std::to_string(getpid());
}

void RemoveStaleTemporaries(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path out(path);
  std::string prefix = out.filename().string() + ".tmp-";
  fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string digits = name.substr(prefix.size());
    // Only "<name>.tmp-<pid>", exactly what TemporaryPathFor makes: a user's
    // "out.db.tmp-old" or "out.db.tmp-1.bak" is not ours to remove.
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || pid == getpid()) continue;
    // ESRCH only: a live process (also one we may not signal, EPERM) may be
    // writing it right now. A dead writer's pid reused by another process
    // keeps its file until that process is gone too.
    if (kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code rm_ec;
    fs::remove(entry.path(), rm_ec);
  }
}

Status CheckOutputSparesInput(const std::string& output, const std::string& input) {
  namespace fs = std::filesystem;
  if (output == "-" || output.empty() || input.empty()) return Status::Ok();
  std::error_code ec;
  if (fs::exists(output, ec) && fs::exists(input, ec) && fs::equivalent(output, input, ec) && !ec)
    return UsageError(output + ": is the input trace " + input + "; writing it would destroy the trace (choose another -o)");
  fs::path in = fs::weakly_canonical(fs::absolute(input, ec), ec);
  fs::path out = fs::weakly_canonical(fs::absolute(output, ec), ec);
  if (ec) return Status::Ok();  // cannot tell: the write itself will report what is wrong
  if (out == in)
    return UsageError(output + ": is the input trace " + input + "; writing it would destroy the trace (choose another -o)");
  if (fs::is_directory(in, ec)) {
    // A stream, failure marker or manifest written there would become part
    // of the trace (or replace one), and a new .lock would let a second
    // recorder in beside a live one; other files beside the streams are
    // harmless to the trace.
    auto rel = out.lexically_relative(in);
    std::string ext = out.extension().string();
    bool part_of_trace =
        ext == ".ahs" || ext == ".failed" || out.filename() == "manifest.json" || out.filename() == ".lock";
    if (!rel.empty() && *rel.begin() != ".." && part_of_trace)
      return UsageError(output + ": would become part of the input trace " + input +
                        " (a stream, marker or manifest there); choose another -o");
  }
  return Status::Ok();
}

Status FinishStreamedOutput(FILE* f, const std::string& tmp, const std::string& output, const Status& produced,
                            int write_errno) {
  if (output == "-") {
    std::fflush(f);
    return produced;
  }
  bool close_failed = std::fclose(f) != 0;
  int err = write_errno ? write_errno : errno;
  if (!produced.ok() || write_errno || close_failed) {
    std::remove(tmp.c_str());
    if (!produced.ok()) return produced;
    return OutputError(output + ": cannot write " + tmp + ": " + IoErrorText(err ? err : EIO));
  }
  return RenameIntoPlace(tmp, output);
}

Status RenameIntoPlace(const std::string& tmp, const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (!ec) return Status::Ok();
  std::remove(tmp.c_str());
  return OutputError(path + ": cannot rename " + tmp + " into place: " + ec.message());
}

Status WriteOutputFile(const std::string& path, std::string_view content) {
  std::string tmp = TemporaryPathFor(path);
  FILE* f = std::fopen(tmp.c_str(), "wb");
  bool ok = f && std::fwrite(content.data(), 1, content.size(), f) == content.size();
  int err = ok ? 0 : errno;
  if (f && std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    return OutputError(path + ": cannot write " + tmp + ": " + IoErrorText(err ? err : EIO));
  }
  return RenameIntoPlace(tmp, path);
}

}  // namespace ahtrace
