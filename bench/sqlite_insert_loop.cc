// The replay baseline of bench/run.sh: a bare SQLite loop that writes one
// row per trace event and does nothing else.
//
//   sqlite_insert_loop ROWS OUT.db
//
// Contract: creates OUT.db afresh with a table of the `event` table's shape
// (schema/schema.sql: 13 columns, WITHOUT ROWID, primary key (stream_id,
// seq)) and inserts ROWS rows through one prepared statement in one
// transaction, with the settings a throwaway bulk load would pick (no
// journal, no sync, 64 KiB pages, 64 MiB cache). The values are synthetic
// but have the mix of a real trace (five hook kinds in turn, a type and a
// trigger on init rows, NULLs elsewhere), so the bytes written per row are
// close to replay's. Prints "rows seconds" on stdout; exit 1 on any SQLite
// error. `ahtrace replay` is judged against this in the same run: whatever
// it spends above this loop is the model, the other tables and the reading.
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_insert_loop: %s\n", err ? err : "error");
    sqlite3_free(err);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: sqlite_insert_loop ROWS OUT.db\n");
    return 2;
  }
  const int64_t rows = std::strtoll(argv[1], nullptr, 10);
  const std::string path = argv[2];
  std::remove(path.c_str());
  auto start = std::chrono::steady_clock::now();
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_insert_loop: cannot open %s\n", path.c_str());
    return 1;
  }
  if (!Exec(db,
            "PRAGMA page_size=65536; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-65536;"
            "CREATE TABLE event (stream_id INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,"
            " async_id INTEGER, trigger_async_id INTEGER, type TEXT, storage_id INTEGER, store_id INTEGER,"
            " observed_eid INTEGER, observed_tid INTEGER, ts_ns INTEGER NOT NULL, site TEXT,"
            " location INTEGER NOT NULL, PRIMARY KEY (stream_id, seq)) WITHOUT ROWID;"
            "BEGIN")) {
    return 1;
  }
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO event(stream_id,seq,kind,async_id,trigger_async_id,type,storage_id,"
                         "store_id,observed_eid,observed_tid,ts_ns,site,location) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &insert, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_insert_loop: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  static const char* const kKinds[] = {"init", "promiseResolve", "before", "after", "destroy"};
  for (int64_t i = 0; i < rows; ++i) {
    const int kind = static_cast<int>(i % 5);
    const int64_t async_id = 2 + i / 5;
    sqlite3_bind_int64(insert, 1, 1);
    sqlite3_bind_int64(insert, 2, i);
    sqlite3_bind_text(insert, 3, kKinds[kind], -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 4, async_id);
    if (kind == 0) {
      sqlite3_bind_int64(insert, 5, async_id - 1);
      sqlite3_bind_text(insert, 6, "PROMISE", -1, SQLITE_STATIC);
    } else {
      sqlite3_bind_null(insert, 5);
      sqlite3_bind_null(insert, 6);
    }
    for (int col = 7; col <= 10; ++col) sqlite3_bind_null(insert, col);
    sqlite3_bind_int64(insert, 11, 1000000 + i * 150);
    sqlite3_bind_null(insert, 12);
    sqlite3_bind_int64(insert, 13, 16 + i * 56);
    if (sqlite3_step(insert) != SQLITE_DONE) {
      std::fprintf(stderr, "sqlite_insert_loop: %s\n", sqlite3_errmsg(db));
      return 1;
    }
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  if (!Exec(db, "COMMIT")) return 1;
  sqlite3_close(db);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%lld %.3f\n", static_cast<long long>(rows), secs);
  return 0;
}
