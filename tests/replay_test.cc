// Replay into SQLite on damaged input: whatever a trace holds, replay
// finishes, writes every row it can, and records the damage as findings.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>

#include "sinks/sqlite_sink.h"
#include "tests/test_util.h"
#include "trace/binary_writer.h"

namespace ahtrace {
namespace {
using testing::TempDir;

std::string Query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* v = sqlite3_column_text(st, i);
        out += (i ? "|" : "") + std::string(v ? reinterpret_cast<const char*>(v) : "NULL");
      }
      out += "\n";
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// Found by fuzzing: an init whose type names a string never defined made
// the resource row violate NOT NULL and the whole replay fail.
TEST(ReplayDamagedTrace, InitWithAnUndefinedTypeStringStillReplays) {
  TempDir dir;
  std::string path = dir.File("p1-t0.ahs");
  {
    BinaryStreamWriter w;
    ASSERT_TRUE(w.Open(path, R"({"format":"ahtrace-stream","version":1,"pid":1,"threadId":0,"node":"v20.20.2"})").ok());
    Event e;
    e.kind = EventKind::kInit;
    e.async_id = AsyncId(2);
    e.trigger_id = AsyncId(1);
    e.type = "Timeout";
    e.observed = false;
    w.Write(e, 1);
    ASSERT_TRUE(w.Close().ok());
  }
  std::string bytes = testing::ReadFile(path);
  // The init is the last record; point its type at string 99.
  uint32_t missing = 99;
  std::memcpy(&bytes[bytes.size() - 56 + 4], &missing, 4);
  testing::WriteFile(path, bytes);

  Status st;
  auto reader = OpenTrace(dir.path(), &st);
  ASSERT_TRUE(reader);
  SqliteSink db;
  ASSERT_TRUE(db.Open(dir.File("t.db"), SqliteOptions{}).ok());
  ReplaySummary summary;
  ASSERT_TRUE(Replay(*reader, &db, &db, &summary).ok());
  ASSERT_TRUE(db.Commit(*reader).ok());
  EXPECT_EQ(Query(dir.File("t.db"), "SELECT async_id, type FROM resource WHERE synthetic = 0"), "2|(no type)\n");
  EXPECT_EQ(Query(dir.File("t.db"), "SELECT kind, severity FROM finding"), "bad-record|error\n");
  EXPECT_NE(Query(dir.File("t.db"), "SELECT message FROM finding").find("p1-t0.ahs@"), std::string::npos);
}

}  // namespace
}  // namespace ahtrace
