// Helpers shared by the tests: temporary directories, building traces event
// by event, running the real `ahtrace` binary.
#pragma once

#include <string>
#include <vector>

#include "trace/event.h"
#include "trace/reader.h"

namespace ahtrace::testing {

// A fresh empty directory under the build tree, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs a shell command; returns its exit status and captures stdout/stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
CommandResult RunCommand(const std::string& shell_command);
std::string Quote(const std::string& s);
std::string AhtraceBin();
std::string SourcePath(const std::string& relative);

// Reads every event of a trace; fails the test on a fatal read error.
struct ReadTrace {
  std::unique_ptr<TraceReader> reader;
  std::vector<Event> events;
  std::vector<ReadProblem> problems;
  Status status;
};
ReadTrace ReadAll(const std::string& path);

// Replays `trace` into a SQLite database at `db_path` (fails the test on any error).
void ReplayInto(const std::string& trace, const std::string& db_path);
// Runs a query; rows as `a|b|c` lines, NULL as "NULL".
std::string QueryRows(const std::string& db_path, const std::string& sql);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace ahtrace::testing
