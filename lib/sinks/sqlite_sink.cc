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
void BindInt(sqlite3_stmt* st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }

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
  StopWriter();
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
  writer_ = std::thread([this] { WriterLoop(); });
  return Status::Ok();
}

void SqliteSink::OnStream(uint32_t stream, const StreamInfo& info) {
  if (streams_.size() <= stream) streams_.resize(stream + 1);
  streams_[stream] = info;
}

void SqliteSink::Text(int column, std::string_view s) {
  filling_.cells.push_back({Cell::kText, column, static_cast<int64_t>(filling_.text.size()), s.size(), nullptr});
  filling_.text.append(s);
}
void SqliteSink::Seq(int column, uint64_t seq) {
  if (seq != kNoSeq) Int(column, static_cast<int64_t>(seq));
}
void SqliteSink::SeqTs(int column, uint64_t seq, int64_t ts) {
  if (seq == kNoSeq) return;
  Int(column, static_cast<int64_t>(seq));
  Int(column + 1, ts);
}
void SqliteSink::Key(int column, uint64_t key) {
  if (key != 0) Int(column, static_cast<int64_t>(key));
}

void SqliteSink::Row(sqlite3_stmt* st) {
  filling_.cells.push_back({Cell::kStep, 0, 0, 0, st});
  // Large enough that handing over is rare, small enough to stay in cache.
  if (filling_.cells.size() >= (1 << 15)) Hand();
}

void SqliteSink::Hand() {
  if (filling_.cells.empty()) return;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !have_batch_; });
  std::swap(filling_, writing_);
  have_batch_ = true;
  cv_.notify_all();
  lock.unlock();
  filling_.cells.clear();
  filling_.text.clear();
}

void SqliteSink::WriterLoop() {
  for (;;) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return have_batch_ || stop_; });
    if (!have_batch_) return;  // stopped, and nothing left
    lock.unlock();
    Write(writing_);  // the filling thread touches writing_ only once have_batch_ is false
    lock.lock();
    have_batch_ = false;
    cv_.notify_all();
  }
}

void SqliteSink::Write(const Batch& batch) {
  // Cells of one row come before its kStep; the statement is known only
  // there, so the row's cells are bound when it ends.
  size_t row_begin = 0;
  for (size_t i = 0; i < batch.cells.size(); ++i) {
    const Cell& end = batch.cells[i];
    if (end.kind != Cell::kStep) continue;
    sqlite3_stmt* st = end.stmt;
    if (st) {
      for (size_t j = row_begin; j < i; ++j) {
        const Cell& c = batch.cells[j];
        if (c.kind == Cell::kInt)
          sqlite3_bind_int64(st, c.column, c.value);
        else  // an empty view binds '' (a null pointer would bind NULL)
          sqlite3_bind_text(st, c.column, c.size ? batch.text.data() + c.value : "", static_cast<int>(c.size),
                            SQLITE_STATIC);
      }
      Step(st);
    }
    row_begin = i + 1;
  }
}

void SqliteSink::StopWriter() {
  if (!writer_.joinable()) return;
  Hand();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void SqliteSink::OnEvent(const Event& e) {
  if (!options_.raw_events) return;
  Int(1, e.stream);
  Int(2, static_cast<int64_t>(e.seq));
  Text(3, EventKindName(e.kind));
  if (IsHookEvent(e.kind)) Int(4, e.async_id.value);
  if (e.kind == EventKind::kInit) {
    Int(5, e.trigger_id.value);
    Text(6, e.type);
  }
  if (IsAlsEvent(e.kind)) {
    Int(7, e.storage);
    if (e.kind == EventKind::kAlsRunBegin || e.kind == EventKind::kAlsRunEnd ||
        e.kind == EventKind::kAlsEnterWith || e.kind == EventKind::kAlsGetStore ||
        e.kind == EventKind::kAlsExpect)
      Int(8, e.store);
  }
  if (e.observed) {
    Int(9, e.observed_eid.value);
    Int(10, e.observed_tid.value);
  }
  Int(11, e.ts_ns);
  OptText(12, e.site);
  Int(13, static_cast<int64_t>(e.location));
  Row(insert_event_);
}

void SqliteSink::InsertResource(const Resource& r) {
  Int(1, static_cast<int64_t>(r.key));
  Int(2, r.stream);
  Int(3, r.id.value);
  Text(4, r.type);
  if (r.init_seq != kNoSeq) {
    Int(5, r.trigger.value);
    Key(6, r.trigger_key);
    Int(7, r.creator.value);
    Key(8, r.creator_key);
  }
  Int(9, r.synthetic ? 1 : 0);
  OptText(10, r.site);
  SeqTs(11, r.init_seq, r.init_ts_ns);
  SeqTs(13, r.first_before_seq, r.first_before_ts_ns);
  SeqTs(15, r.last_after_seq, r.last_after_ts_ns);
  Int(17, r.callbacks);
  SeqTs(18, r.resolve_seq, r.resolve_ts_ns);
  SeqTs(20, r.destroy_seq, r.destroy_ts_ns);
  Row(insert_resource_);
}

void SqliteSink::InsertCallback(const CallbackSpan& span, uint32_t stream) {
  Int(1, static_cast<int64_t>(span.key));
  Int(2, stream);
  Int(3, static_cast<int64_t>(span.resource_key));
  Int(4, span.id.value);
  Int(5, span.depth);
  Key(6, span.parent_key);
  Seq(7, span.before_seq);
  Int(9, span.before_ts_ns);
  if (span.after_seq != kNoSeq) {
    Seq(8, span.after_seq);
    Int(10, span.after_ts_ns);
    Int(11, span.after_ts_ns - span.before_ts_ns);
  }
  Row(insert_callback_);
}

void SqliteSink::OnBefore(const Event& e, const Resource& r, const CallbackSpan& span) {
  for (const auto& slot : r.stores) {
    if (slot.store == kUndefinedStore) continue;
    Int(1, static_cast<int64_t>(span.key));
    Int(2, slot.storage);
    Int(3, slot.store);
    Row(insert_callback_store_);
  }
}

void SqliteSink::OnAfter(const Event& e, const Resource& r, const CallbackSpan& span) {
  InsertCallback(span, r.stream);
  if (r.destroyed) {
    // Its row was written at destroy; a destroyed AsyncResource ran again.
    SeqTs(1, r.last_after_seq, r.last_after_ts_ns);
    Int(3, r.callbacks);
    Int(4, static_cast<int64_t>(r.key));
    Row(update_after_destroy_);
  }
}

void SqliteSink::OnDestroy(const Event& e, const Resource& r) { InsertResource(r); }

void SqliteSink::OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) {
  // Most resources are created with no store; no row means undefined.
  if (cause == StoreCause::kInit && store == kUndefinedStore) return;
  Int(1, static_cast<int64_t>(r.key));
  Int(2, storage);
  Int(3, store);
  if (e) Int(4, static_cast<int64_t>(e->seq));
  Text(5, StoreCauseName(cause));
  Row(insert_resource_store_);
}

void SqliteSink::OnStorageEvent(const Event& e, const StorageState& s) {
  if (e.kind != EventKind::kAlsCreate) return;
  Int(1, e.stream);
  Int(2, s.id);
  Seq(3, s.created_seq);
  OptText(4, s.site);
  Row(insert_storage_);
}

void SqliteSink::OnGetStore(const Event& e, StoreId expected, const Resource& current) {
  Int(1, e.stream);
  Int(2, static_cast<int64_t>(e.seq));
  Int(3, e.storage);
  Int(4, e.store);
  Int(5, expected);
  Int(6, static_cast<int64_t>(current.key));
  Int(7, current.id.value);
  OptText(8, e.site);
  Row(insert_store_read_);
}

void SqliteSink::OnFinding(const Finding& f) {
  Text(1, f.kind);
  Text(2, SeverityName(f.severity));
  Int(3, f.stream);
  if (f.has_event) {
    Int(4, static_cast<int64_t>(f.seq));
    Int(5, static_cast<int64_t>(f.location));
  } else if (f.location) {
    Int(5, static_cast<int64_t>(f.location));
  }
  if (f.async_id.value) Int(6, f.async_id.value);
  OptText(7, f.expected);
  OptText(8, f.observed);
  Text(9, f.message);
  Row(insert_finding_);
}

void SqliteSink::OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                             const std::vector<CallbackSpan>& unfinished) {
  for (const Resource* r : alive) InsertResource(*r);
  for (const auto& span : unfinished) InsertCallback(span, stream);
}

Status SqliteSink::Commit(const TraceReader& reader) {
  if (!db_) return OutputError(path_ + ": database not open");
  StopWriter();  // every queued row is written before the rest, on this thread
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
