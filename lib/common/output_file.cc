#include "common/output_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace ahtrace {

std::string TemporaryPathFor(const std::string& path) { return path + ".tmp-" + std::to_string(getpid()); }

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

Status RenameIntoPlace(const std::string& tmp, const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (!ec) return Status::Ok();
  std::remove(tmp.c_str());
  return OutputError(path + ": cannot rename into place: " + ec.message());
}

}  // namespace ahtrace
