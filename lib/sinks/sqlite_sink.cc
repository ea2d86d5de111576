#include "sinks/sqlite_sink.h"

#include "common/output_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace ahtrace {
extern const char kSchemaSql[];

namespace {

void BindText(sqlite3_stmt* st, int i, std::string_view s) {
  // An empty view may have a null data(), which SQLite would store as NULL.
  sqlite3_bind_text(st, i, s.empty() ? "" : s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}
void BindOptText(sqlite3_stmt* st, int i, std::string_view s) {
  if (s.empty())
    sqlite3_bind_null(st, i);
  else
    BindText(st, i, s);
}
void BindInt(sqlite3_stmt* st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
void BindSeq(sqlite3_stmt* st, int i, uint64_t seq) {
  if (seq == kNoSeq)
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_int64(st, i, static_cast<int64_t>(seq));
}
void BindSeqTs(sqlite3_stmt* st, int i, uint64_t seq, int64_t ts) {
  BindSeq(st, i, seq);
  if (seq == kNoSeq)
    sqlite3_bind_null(st, i + 1);
  else
    BindInt(st, i + 1, ts);
}
void BindKey(sqlite3_stmt* st, int i, uint64_t key) {
  if (key == 0)
    sqlite3_bind_null(st, i);
  else
    BindInt(st, i, static_cast<int64_t>(key));
}

}  // namespace

SqliteSink::~SqliteSink() { Abandon(); }

void SqliteSink::FinalizeStatements() {
  for (sqlite3_stmt** st : {&insert_event_, &insert_resource_, &insert_callback_, &insert_callback_store_,
                            &insert_resource_store_, &insert_storage_, &insert_store_read_, &insert_finding_,
                            &update_after_destroy_}) {
    sqlite3_finalize(*st);
    *st = nullptr;
  }
}

void SqliteSink::Abandon() {
  if (!db_) return;
  FinalizeStatements();
  sqlite3_close(db_);
  db_ = nullptr;
  std::remove(tmp_path_.c_str());
}

bool SqliteSink::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    if (error_.empty()) error_ = err ? err : "unknown SQLite error";
    sqlite3_free(err);
    return false;
  }
  return true;
}

sqlite3_stmt* SqliteSink::Prepare(const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK && error_.empty())
    error_ = std::string(sqlite3_errmsg(db_)) + " in: " + sql;
  return st;
}

void SqliteSink::Step(sqlite3_stmt* st) {
  if (!st) return;
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE && error_.empty()) error_ = sqlite3_errmsg(db_);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

Status SqliteSink::Open(const std::string& path, const SqliteOptions& options) {
  options_ = options;
  path_ = path;
  tmp_path_ = TemporaryPathFor(path);
  std::remove(tmp_path_.c_str());
  if (sqlite3_open_v2(tmp_path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    return OutputError(path + ": cannot create database: " + msg);
  }
  std::string schema = kSchemaSql;
  std::string tables = schema.substr(0, schema.find("-- @indexes"));
  // The output is rebuilt from scratch on any failure, so durability
  // settings would only cost time.
  Exec("PRAGMA page_size=65536; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
       "PRAGMA cache_size=-65536;");
  Exec(tables);
  Exec("BEGIN");
  insert_event_ = Prepare(
      "INSERT INTO event(stream_id,seq,kind,async_id,trigger_async_id,type,storage_id,store_id,"
      "observed_eid,observed_tid,ts_ns,site,location) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  insert_resource_ = Prepare(
      "INSERT INTO resource(resource_id,stream_id,async_id,type,trigger_async_id,trigger_resource_id,"
      "execution_async_id,execution_resource_id,synthetic,site,init_seq,init_ts_ns,first_before_seq,"
      "first_before_ts_ns,last_after_seq,last_after_ts_ns,callbacks,promise_resolve_seq,"
      "promise_resolve_ts_ns,destroy_seq,destroy_ts_ns) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  insert_callback_ = Prepare(
      "INSERT INTO callback(callback_id,stream_id,resource_id,async_id,depth,parent_callback_id,before_seq,"
      "after_seq,start_ts_ns,end_ts_ns,duration_ns) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  insert_callback_store_ = Prepare("INSERT INTO callback_store(callback_id,storage_id,store_id) VALUES(?,?,?)");
  insert_resource_store_ =
      Prepare("INSERT INTO resource_store(resource_id,storage_id,store_id,seq,cause) VALUES(?,?,?,?,?)");
  insert_storage_ = Prepare("INSERT OR REPLACE INTO storage(stream_id,storage_id,created_seq,site) VALUES(?,?,?,?)");
  insert_store_read_ = Prepare(
      "INSERT INTO store_read(stream_id,seq,storage_id,store_id,expected_store_id,resource_id,async_id,site) "
      "VALUES(?,?,?,?,?,?,?,?)");
  insert_finding_ = Prepare(
      "INSERT INTO finding(kind,severity,stream_id,seq,location,async_id,expected,observed,message) "
      "VALUES(?,?,?,?,?,?,?,?,?)");
  update_after_destroy_ = Prepare(
      "UPDATE resource SET last_after_seq=?, last_after_ts_ns=?, callbacks=? WHERE resource_id=?");
  if (!error_.empty()) {
    std::string msg = error_;
    Abandon();
    return OutputError(path + ": " + msg);
  }
  return Status::Ok();
}

void SqliteSink::OnStream(uint32_t stream, const StreamInfo& info) {
  if (streams_.size() <= stream) streams_.resize(stream + 1);
  streams_[stream] = info;
}

void SqliteSink::OnEvent(const Event& e) {
  if (!options_.raw_events) return;
  sqlite3_stmt* st = insert_event_;
  BindInt(st, 1, e.stream);
  BindInt(st, 2, static_cast<int64_t>(e.seq));
  sqlite3_bind_text(st, 3, EventKindName(e.kind), -1, SQLITE_STATIC);
  if (IsHookEvent(e.kind)) BindInt(st, 4, e.async_id.value);
  if (e.kind == EventKind::kInit) {
    BindInt(st, 5, e.trigger_id.value);
    BindText(st, 6, e.type);
  }
  if (IsAlsEvent(e.kind)) {
    BindInt(st, 7, e.storage);
    if (e.kind == EventKind::kAlsRunBegin || e.kind == EventKind::kAlsRunEnd ||
        e.kind == EventKind::kAlsEnterWith || e.kind == EventKind::kAlsGetStore ||
        e.kind == EventKind::kAlsExpect)
      BindInt(st, 8, e.store);
  }
  if (e.observed) {
    BindInt(st, 9, e.observed_eid.value);
    BindInt(st, 10, e.observed_tid.value);
  }
  BindInt(st, 11, e.ts_ns);
  BindOptText(st, 12, e.site);
  BindInt(st, 13, static_cast<int64_t>(e.location));
  Step(st);
}

void SqliteSink::InsertResource(const Resource& r) {
  sqlite3_stmt* st = insert_resource_;
  BindInt(st, 1, static_cast<int64_t>(r.key));
  BindInt(st, 2, r.stream);
  BindInt(st, 3, r.id.value);
  BindText(st, 4, r.type);
  if (r.init_seq != kNoSeq) {
    BindInt(st, 5, r.trigger.value);
    BindKey(st, 6, r.trigger_key);
    BindInt(st, 7, r.creator.value);
    BindKey(st, 8, r.creator_key);
  }
  BindInt(st, 9, r.synthetic ? 1 : 0);
  BindOptText(st, 10, r.site);
  BindSeqTs(st, 11, r.init_seq, r.init_ts_ns);
  BindSeqTs(st, 13, r.first_before_seq, r.first_before_ts_ns);
  BindSeqTs(st, 15, r.last_after_seq, r.last_after_ts_ns);
  BindInt(st, 17, r.callbacks);
  BindSeqTs(st, 18, r.resolve_seq, r.resolve_ts_ns);
  BindSeqTs(st, 20, r.destroy_seq, r.destroy_ts_ns);
  Step(st);
}

void SqliteSink::InsertCallback(const CallbackSpan& span, uint32_t stream) {
  sqlite3_stmt* st = insert_callback_;
  BindInt(st, 1, static_cast<int64_t>(span.key));
  BindInt(st, 2, stream);
  BindInt(st, 3, static_cast<int64_t>(span.resource_key));
  BindInt(st, 4, span.id.value);
  BindInt(st, 5, span.depth);
  BindKey(st, 6, span.parent_key);
  BindSeq(st, 7, span.before_seq);
  BindInt(st, 9, span.before_ts_ns);
  if (span.after_seq != kNoSeq) {
    BindSeq(st, 8, span.after_seq);
    BindInt(st, 10, span.after_ts_ns);
    BindInt(st, 11, span.after_ts_ns - span.before_ts_ns);
  }
  Step(st);
}

void SqliteSink::OnBefore(const Event& e, const Resource& r, const CallbackSpan& span) {
  for (const auto& slot : r.stores) {
    if (slot.store == kUndefinedStore) continue;
    BindInt(insert_callback_store_, 1, static_cast<int64_t>(span.key));
    BindInt(insert_callback_store_, 2, slot.storage);
    BindInt(insert_callback_store_, 3, slot.store);
    Step(insert_callback_store_);
  }
}

void SqliteSink::OnAfter(const Event& e, const Resource& r, const CallbackSpan& span) {
  InsertCallback(span, r.stream);
  if (r.destroyed) {
    // Its row was written at destroy; a destroyed AsyncResource ran again.
    BindSeqTs(update_after_destroy_, 1, r.last_after_seq, r.last_after_ts_ns);
    BindInt(update_after_destroy_, 3, r.callbacks);
    BindInt(update_after_destroy_, 4, static_cast<int64_t>(r.key));
    Step(update_after_destroy_);
  }
}

void SqliteSink::OnDestroy(const Event& e, const Resource& r) { InsertResource(r); }

void SqliteSink::OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) {
  // Most resources are created with no store; no row means undefined.
  if (cause == StoreCause::kInit && store == kUndefinedStore) return;
  sqlite3_stmt* st = insert_resource_store_;
  BindInt(st, 1, static_cast<int64_t>(r.key));
  BindInt(st, 2, storage);
  BindInt(st, 3, store);
  if (e) BindInt(st, 4, static_cast<int64_t>(e->seq));
  sqlite3_bind_text(st, 5, StoreCauseName(cause), -1, SQLITE_STATIC);
  Step(st);
}

void SqliteSink::OnStorageEvent(const Event& e, const StorageState& s) {
  if (e.kind != EventKind::kAlsCreate) return;
  BindInt(insert_storage_, 1, e.stream);
  BindInt(insert_storage_, 2, s.id);
  BindSeq(insert_storage_, 3, s.created_seq);
  BindOptText(insert_storage_, 4, s.site);
  Step(insert_storage_);
}

void SqliteSink::OnGetStore(const Event& e, StoreId expected, const Resource& current) {
  sqlite3_stmt* st = insert_store_read_;
  BindInt(st, 1, e.stream);
  BindInt(st, 2, static_cast<int64_t>(e.seq));
  BindInt(st, 3, e.storage);
  BindInt(st, 4, e.store);
  BindInt(st, 5, expected);
  BindInt(st, 6, static_cast<int64_t>(current.key));
  BindInt(st, 7, current.id.value);
  BindOptText(st, 8, e.site);
  Step(st);
}

void SqliteSink::OnFinding(const Finding& f) {
  sqlite3_stmt* st = insert_finding_;
  sqlite3_bind_text(st, 1, f.kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, SeverityName(f.severity), -1, SQLITE_STATIC);
  BindInt(st, 3, f.stream);
  if (f.has_event) {
    BindInt(st, 4, static_cast<int64_t>(f.seq));
    BindInt(st, 5, static_cast<int64_t>(f.location));
  } else if (f.location) {
    BindInt(st, 5, static_cast<int64_t>(f.location));
  }
  if (f.async_id.value) BindInt(st, 6, f.async_id.value);
  BindOptText(st, 7, f.expected);
  BindOptText(st, 8, f.observed);
  BindText(st, 9, f.message);
  Step(st);
}

void SqliteSink::OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                             const std::vector<CallbackSpan>& unfinished) {
  for (const Resource* r : alive) InsertResource(*r);
  for (const auto& span : unfinished) InsertCallback(span, stream);
}

Status SqliteSink::Commit(const TraceReader& reader) {
  if (!db_) return OutputError(path_ + ": database not open");
  sqlite3_stmt* st = Prepare(
      "INSERT INTO stream(stream_id,pid,ppid,thread_id,is_main_thread,node_version,path,ended_cleanly,"
      "exit_code,events,header_json) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  const auto& streams = reader.streams();
  for (uint32_t i = 0; i < streams.size(); ++i) {
    const StreamInfo& s = streams[i];
    BindInt(st, 1, i);
    BindInt(st, 2, s.pid);
    BindInt(st, 3, s.ppid);
    BindInt(st, 4, s.thread_id);
    BindInt(st, 5, s.is_main_thread ? 1 : 0);
    BindText(st, 6, s.node_version);
    BindText(st, 7, s.path);
    BindInt(st, 8, s.ended_cleanly ? 1 : 0);
    if (s.ended_cleanly) BindInt(st, 9, s.exit_code);
    BindInt(st, 10, static_cast<int64_t>(s.events));
    BindText(st, 11, s.header_json);
    Step(st);
  }
  sqlite3_finalize(st);
  st = Prepare("INSERT INTO store(stream_id,store_id,label,value_kind) VALUES(?,?,?,?)");
  for (uint32_t i = 0; i < streams.size(); ++i) {
    const auto& stores = reader.stores(i);
    for (size_t index = 0; index < stores.size(); ++index) {
      const StoreInfo& store = stores[index];
      if (store.id != static_cast<StoreId>(index)) continue;  // an id the trace skipped
      BindInt(st, 1, i);
      BindInt(st, 2, store.id);
      BindText(st, 3, store.label);
      BindText(st, 4, store.value_kind);
      Step(st);
    }
  }
  sqlite3_finalize(st);
  st = Prepare("INSERT INTO meta(key,value) VALUES(?,?)");
  auto meta = [&](const char* k, const std::string& v) {
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    BindText(st, 2, v);
    Step(st);
  };
  meta("schema_version", std::to_string(kSchemaVersion));
  meta("format_version", std::to_string(streams.empty() ? 0 : streams[0].format_version));
  meta("ahtrace_version", AHTRACE_VERSION);
  sqlite3_finalize(st);
  std::string schema = kSchemaSql;
  size_t marker = schema.find("-- @indexes");
  if (marker != std::string::npos) Exec(schema.substr(marker));
  Exec("COMMIT");
  if (!error_.empty()) {
    std::string msg = error_;
    Abandon();
    return OutputError(path_ + ": " + msg);
  }
  FinalizeStatements();
  int rc = sqlite3_close(db_);
  db_ = nullptr;
  if (rc != SQLITE_OK) {
    std::remove(tmp_path_.c_str());
    return OutputError(path_ + ": closing the database failed");
  }
  return RenameIntoPlace(tmp_path_, path_);
}

}  // namespace ahtrace
