// Writes what replay reconstructed into SQLite (schema/schema.sql).
//
// The database is built in a temporary file next to the output and renamed
// into place by Commit(): a failed or interrupted replay leaves no
// half-written database. Every value is bound as a parameter; no SQL is
// assembled from trace data.
//
// SQLite runs on a second thread: the sink's callbacks only append each
// row's values to a batch (copying its text), and a writer thread binds
// and steps the batches in the order they were filled, so the rows are
// the same as with one thread while the model and SQLite share two cores.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "model/replay.h"

namespace ahtrace {

constexpr int kSchemaVersion = 1;

struct SqliteOptions {
  bool raw_events = true;  // fill the `event` table (the largest one)
};

class SqliteSink : public ModelSink, public EventSink {
 public:
  SqliteSink() = default;
  ~SqliteSink() override;
  SqliteSink(const SqliteSink&) = delete;
  SqliteSink& operator=(const SqliteSink&) = delete;

  Status Open(const std::string& path, const SqliteOptions& options);
  // Writes the stores the reader collected, indexes, and renames into place.
  Status Commit(const TraceReader& reader);
  // Drops the temporary file (on any failure before Commit()).
  void Abandon();

  void OnStream(uint32_t stream, const StreamInfo& info) override;
  void OnEvent(const Event& e) override;
  void OnInit(const Event& e, const Resource& r) override {}
  void OnBefore(const Event& e, const Resource& r, const CallbackSpan& span) override;
  void OnAfter(const Event& e, const Resource& r, const CallbackSpan& span) override;
  void OnDestroy(const Event& e, const Resource& r) override;
  void OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) override;
  void OnStorageEvent(const Event& e, const StorageState& storage) override;
  void OnGetStore(const Event& e, StoreId expected, const Resource& current) override;
  void OnFinding(const Finding& f) override;
  void OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                   const std::vector<CallbackSpan>& unfinished) override;

 private:
  // One row's values, in the order they are bound, then kStep: the batch a
  // callback fills and the writer thread drains. A parameter not given
  // stays NULL (bindings are cleared after each step).
  struct Cell {
    enum Kind : uint8_t { kInt, kText, kStep } kind;
    int32_t column = 0;
    int64_t value = 0;        // kInt: the value; kText: offset in Batch::text
    size_t size = 0;          // kText: length
    sqlite3_stmt* stmt = nullptr;  // kStep
  };
  struct Batch {
    std::vector<Cell> cells;
    std::string text;
  };
  void Int(int column, int64_t v) { filling_.cells.push_back({Cell::kInt, column, v, 0, nullptr}); }
  void Text(int column, std::string_view s);  // '' for an empty view, never NULL
  void OptText(int column, std::string_view s) {  // NULL when empty
    if (!s.empty()) Text(column, s);
  }
  void Seq(int column, uint64_t seq);                     // NULL for kNoSeq
  void SeqTs(int column, uint64_t seq, int64_t ts);       // seq and ts, both NULL for kNoSeq
  void Key(int column, uint64_t key);                     // NULL for 0
  void Row(sqlite3_stmt* st);                             // the row is complete
  void Hand();        // gives the filled batch to the writer (waits while it is busy)
  void StopWriter();  // writes what is queued and ends the thread
  void WriterLoop();
  void Write(const Batch& batch);

  sqlite3_stmt* Prepare(const char* sql);
  bool Exec(const std::string& sql);
  void Step(sqlite3_stmt* st);
  void FinalizeStatements();  // finalizes every prepared statement and forgets it
  void InsertResource(const Resource& r);
  void InsertCallback(const CallbackSpan& span, uint32_t stream);

  sqlite3* db_ = nullptr;
  std::string path_, tmp_path_;
  SqliteOptions options_;
  std::string error_;  // first SQLite error, reported by Commit()
  std::vector<StreamInfo> streams_;
  sqlite3_stmt* insert_event_ = nullptr;
  sqlite3_stmt* insert_resource_ = nullptr;
  sqlite3_stmt* insert_callback_ = nullptr;
  sqlite3_stmt* insert_callback_store_ = nullptr;
  sqlite3_stmt* insert_resource_store_ = nullptr;
  sqlite3_stmt* insert_storage_ = nullptr;
  sqlite3_stmt* insert_store_read_ = nullptr;
  sqlite3_stmt* insert_finding_ = nullptr;
  sqlite3_stmt* update_after_destroy_ = nullptr;

  Batch filling_, writing_;
  std::thread writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool have_batch_ = false;  // writing_ holds a batch to write (guarded by mu_)
  bool stop_ = false;        // guarded by mu_
};

}  // namespace ahtrace
