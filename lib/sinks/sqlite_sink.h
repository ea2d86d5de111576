// Writes what replay reconstructed into SQLite (schema/schema.sql).
//
// The database is built in a temporary file next to the output and renamed
// into place by Commit(): a failed or interrupted replay leaves no
// half-written database. Every value is bound as a parameter; no SQL is
// assembled from trace data.
#pragma once

#include <sqlite3.h>

#include <string>
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
  class Stmt;
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
};

}  // namespace ahtrace
