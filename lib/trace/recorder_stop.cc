#include "trace/recorder_stop.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/io_error.h"

namespace ahtrace {

std::string RecorderFailureCode(const RecorderFailure& failure) {
  // p<pid>-t<thread>[.<CODE>].failed: the stem's own extension, if any.
  std::string code = std::filesystem::path(failure.file).stem().extension().string();
  if (code.size() < 3 || code[0] != '.' || code[1] != 'E') return {};
  code.erase(0, 1);
  for (char c : code)
    if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')) return {};
  return code;
}

std::string RecorderFailureReason(const RecorderFailure& failure) {
  std::string code = RecorderFailureCode(failure);
  if (code.empty()) return failure.message;
  // ListRecorderFailures puts a default message on a marker without one:
  // tell a saved reason from that by reading the marker again.
  std::ifstream in(failure.file, std::ios::binary);
  std::string text(64 * 1024, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  return "the recorder stopped: " + IoErrorTextForCode(code) + " (its marker is empty: no more could be written)";
}

const RecorderFailure* FindRecorderFailure(const std::vector<RecorderFailure>& failures, int64_t pid,
                                           int64_t thread) {
  for (const auto& f : failures)
    if (f.pid == pid && f.thread_id == thread) return &f;
  return nullptr;
}

bool IsDiskFullCode(const std::string& code) { return code == "ENOSPC" || code == "EDQUOT"; }

}  // namespace ahtrace
