// Errors as data. Library functions return a Status (or fill an out-param and
// return a Status); nothing thrown by a dependency crosses the library
// boundary. Each code maps to one documented exit code of the CLI.
#pragma once

#include <string>
#include <utility>

namespace ahtrace {

enum class StatusCode {
  kOk = 0,
  kUsage = 2,         // the caller asked for something impossible
  kInvalidTrace = 3,  // the input is not a readable trace
  kOutput = 4,        // an output file could not be written
  kInternal = 5,      // a bug or an unexpected library failure
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(StatusCode code, std::string message) {
    Status s;
    s.code_ = code;
    s.message_ = std::move(message);
    return s;
  }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  int exit_code() const { return static_cast<int>(code_); }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidTrace(std::string m) { return Status::Error(StatusCode::kInvalidTrace, std::move(m)); }
inline Status UsageError(std::string m) { return Status::Error(StatusCode::kUsage, std::move(m)); }
inline Status OutputError(std::string m) { return Status::Error(StatusCode::kOutput, std::move(m)); }
inline Status InternalError(std::string m) { return Status::Error(StatusCode::kInternal, std::move(m)); }

}  // namespace ahtrace
