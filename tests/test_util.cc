#include "tests/test_util.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sinks/sqlite_sink.h"

namespace ahtrace::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "ahtrace-test-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* made = mkdtemp(buf.data());
  path_ = made ? made : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty() && !std::getenv("AHTRACE_KEEP_TEST_DIRS")) fs::remove_all(path_, ec);
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

CommandResult RunCommand(const std::string& shell_command) {
  TempDir dir;
  std::string cmd = shell_command + " >" + Quote(dir.File("out")) + " 2>" + Quote(dir.File("err")) + " </dev/null";
  int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(dir.File("out"));
  r.err = ReadFile(dir.File("err"));
  return r;
}

std::string AhtraceBin() { return AHTRACE_BIN; }
std::string SourcePath(const std::string& relative) { return std::string(AHTRACE_SOURCE_DIR) + "/" + relative; }

ReadTrace ReadAll(const std::string& path) {
  ReadTrace t;
  t.reader = OpenTrace(path, &t.status);
  if (!t.reader) return t;
  t.reader->set_problem_callback([&t](const ReadProblem& p) { t.problems.push_back(p); });
  Event ev;
  while (t.reader->Next(&ev)) t.events.push_back(ev);
  t.status = t.reader->status();
  return t;
}

void ReplayInto(const std::string& trace, const std::string& db_path) {
  Status st;
  auto reader = OpenTrace(trace, &st);
  ASSERT_TRUE(reader) << st.message();
  SqliteSink db;
  ASSERT_TRUE(db.Open(db_path, SqliteOptions{}).ok());
  ReplaySummary summary;
  ASSERT_TRUE(Replay(*reader, &db, &db, &summary).ok());
  ASSERT_TRUE(db.Commit(*reader).ok());
}

std::string QueryRows(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db) << " in " << sql;
  } else {
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (i) out += '|';
        const unsigned char* v = sqlite3_column_text(st, i);
        out += v ? reinterpret_cast<const char*>(v) : "NULL";
      }
      out += '\n';
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace ahtrace::testing
