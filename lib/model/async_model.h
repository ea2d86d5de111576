// The async_hooks model: a deterministic simulator of node's async context
// machinery (node 20 to 26) for one thread of one process.
//
// It keeps what the runtime keeps (lib/internal/async_hooks.js and
// lib/async_hooks.js): the execution stack of (asyncId, triggerAsyncId),
// the resource table, and AsyncLocalStorage stores. Where stores live and
// how they move depends on which AsyncLocalStorage implementation the
// process ran; that is a StorePolicy (store_policy.h), one per
// implementation, consulted where stores move. From those it answers
// executionAsyncId(), triggerAsyncId(), executionAsyncResource() and
// getStore() at every point.
//
// Replay drives it with Apply(); tests and users may drive it the same way
// with events they build. Every rule node enforces or would break on is
// checked, and every place where the trace's own observation (what node
// reported inside the hook) differs from the model becomes a Finding. The
// model never stops for a finding: it recovers the way node would if it
// survived (see docs/model.md).
//
// Memory follows the live resources: destroyed resources leave the table
// (a bounded graveyard keeps the most recent ones, because a destroyed
// AsyncResource can still run), and nothing is kept per event.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/finding.h"
#include "trace/event.h"

namespace ahtrace {

constexpr uint64_t kNoSeq = std::numeric_limits<uint64_t>::max();

// The store a resource carries for one storage. A missing slot reads as
// undefined, as a missing property does in node.
struct StoreSlot {
  StorageId storage;
  StoreId store;
};

// An AsyncContextFrame: the map of storage -> store that V8 carries as
// continuation data when node runs AsyncLocalStorage on AsyncContextFrame.
// Shared by identity, as in node: disable() deletes from the one object
// every holder sees (context_frame_stores.cc).
struct ContextFrame {
  std::vector<StoreSlot> slots;
};
using ContextFramePtr = std::shared_ptr<ContextFrame>;

// What a resource keeps of AsyncContextFrame (context_frame_stores.cc).
// Allocated only where there is something to keep, so async_hooks streams
// pay one null pointer per resource.
struct ResourceFrames {
  ContextFramePtr frame;          // captured at init
  ContextFramePtr settle_frame;   // current when the promise settled
  bool settled = false;           // settle_frame is set
  ContextFramePtr exit_frame;     // current when its last callback ended
};

struct Resource {
  uint64_t key = 0;            // unique across a replay, in creation order (SQL resource_id)
  uint32_t stream = 0;
  AsyncId id;
  AsyncId trigger;             // triggerAsyncId: the trigger graph
  uint64_t trigger_key = 0;    // key of the trigger resource, 0 if unknown
  AsyncId creator;             // executionAsyncId at init: the execution graph
  uint64_t creator_key = 0;    // key of the creating resource, 0 if unknown
  std::string_view type;
  std::string_view site;       // creation site, empty when not recorded
  bool synthetic = false;      // top-level context, or a resource created before recording
  bool destroyed = false;
  uint32_t callbacks = 0;      // before/after spans entered
  uint64_t init_seq = kNoSeq, first_before_seq = kNoSeq, last_after_seq = kNoSeq;
  uint64_t destroy_seq = kNoSeq, resolve_seq = kNoSeq;
  int64_t init_ts_ns = 0, first_before_ts_ns = 0, last_after_ts_ns = 0;
  int64_t destroy_ts_ns = 0, resolve_ts_ns = 0;
  // The stores this resource carries: with async_hooks, its slots (run()
  // and enterWith() change them); with AsyncContextFrame, a copy of the
  // frame it captured at init, for sinks.
  std::vector<StoreSlot> stores;
  std::unique_ptr<ResourceFrames> frames;  // AsyncContextFrame only; null = none captured

  StoreId StoreFor(StorageId storage) const;
  bool HasStore(StorageId storage) const;
  void SetStore(StorageId storage, StoreId store);
};

// One before/after span.
struct CallbackSpan {
  uint64_t key = 0;            // unique across a replay, in entry order (SQL callback_id)
  uint64_t parent_key = 0;     // the enclosing span, 0 at the bottom of the stack
  uint32_t depth = 0;          // 0 = outermost
  AsyncId id;
  uint64_t resource_key = 0;
  uint64_t before_seq = kNoSeq, after_seq = kNoSeq;
  int64_t before_ts_ns = 0, after_ts_ns = 0;
};

struct StorageState {
  StorageId id = 0;
  bool enabled = false;        // async_hooks: node's `this.enabled` (in storageList, propagating)
  StoreId default_store = 0;   // `defaultValue` (node 24+): what getStore() returns with no store set
  uint64_t created_seq = kNoSeq;
  std::string_view site;
};

enum class StoreCause { kInit, kRun, kRunRestore, kEnterWith };
const char* StoreCauseName(StoreCause c);

// Observers of the model, in the spirit of createHook: the model calls them
// after it has applied each event. Default implementations do nothing.
class ModelSink {
 public:
  virtual ~ModelSink() = default;
  virtual void OnInit(const Event& e, const Resource& r) {}
  virtual void OnBefore(const Event& e, const Resource& r, const CallbackSpan& span) {}
  virtual void OnAfter(const Event& e, const Resource& r, const CallbackSpan& span) {}
  virtual void OnDestroy(const Event& e, const Resource& r) {}
  virtual void OnPromiseResolve(const Event& e, const Resource& r, const Resource& current) {}
  // A resource's store for a storage was set (by propagation at init, run,
  // the restore at the end of run, or enterWith).
  virtual void OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) {}
  virtual void OnStorageEvent(const Event& e, const StorageState& storage) {}
  // getStore(): `expected` is what the model computed, e.store what node returned.
  virtual void OnGetStore(const Event& e, StoreId expected, const Resource& current) {}
  // listenerAdd, emitBegin, emitEnd and every ALS event, after the model
  // applied it, with the resource executing at that point.
  virtual void OnContextEvent(const Event& e, const Resource& current) {}
  virtual void OnFinding(const Finding& f) {}
  // The model dropped a destroyed resource from its tables (it left the
  // graveyard, or its async id was reused): no later event can name it,
  // create a child of it or run in it, so a sink may drop what it keeps
  // of it unless something it kept still points there.
  virtual void OnForget(const Resource& r) {}
  // The stream ended: resources still in the table are alive at the end.
  virtual void OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                           const std::vector<CallbackSpan>& unfinished) {}
};

class StorePolicy;
enum class ScopeKind;

class AsyncModel {
 public:
  // `next_key` numbers resources and spans across all streams of a replay so
  // that keys are unique and deterministic; `sink` may be null.
  AsyncModel(uint32_t stream, uint64_t* next_resource_key, uint64_t* next_span_key, ModelSink* sink);

  ~AsyncModel();

  // Which AsyncLocalStorage implementation the stream's process ran (its
  // header says) and its node major version: selects the StorePolicy
  // (store_policy.h). The default is node 20's async_hooks one.
  // `hook_events` false (Bun, Deno): the stream holds AsyncLocalStorage
  // activity only; the model follows it but cannot simulate stores or
  // contexts, compares nothing, and says so once (an info finding).
  void SetRuntime(bool async_context_frame, int node_major, bool hook_events = true,
                  const std::string& runtime = "node");
  // The stream is read from a later segment: what its storages and stores
  // were before it is unknown (findings about them are information).
  void SetJoinedLate(bool joined_late) { joined_late_ = joined_late; }
  bool joined_late() const { return joined_late_; }

  // Applies one event of this model's stream, checking it first.
  void Apply(const Event& e);
  // Ends the stream: reports callbacks still open and hands the live
  // resources to the sink.
  void Finish();

  AsyncId ExecutionAsyncId() const;
  AsyncId TriggerAsyncId() const;
  const Resource& ExecutionResource() const;
  const Resource* Find(AsyncId id) const;
  StoreId GetStore(StorageId storage) const;
  size_t stack_depth() const { return stack_.size(); }
  size_t live_resources() const { return live_; }
  uint64_t findings() const { return findings_; }

  // For store policies (store_policy.h): the resource executing now, one by
  // id, and a store written onto a resource (sinks are told why).
  Resource& Current();
  Resource* Lookup(AsyncId id);
  bool InProcessScope() const { return !stack_.empty() && stack_.back().process_scope; }
  // Nothing is executing and the bootstrap scope has closed (eid 0).
  bool Idle() const { return stack_.empty() && top_level_eid_ == AsyncId(0); }
  Resource& ProcessObject() { return process_; }
  void SetStore(const Event* e, Resource& r, StorageId storage, StoreId store, StoreCause cause);
  void Report(const Event* e, const char* kind, Severity sev, AsyncId id, std::string expected,
              std::string observed, std::string message);

 private:
  struct Frame {
    AsyncId id;
    AsyncId trigger;
    CallbackSpan span;
    bool hidden = false;  // pushed by node without hooks (see TrackHiddenScopes)
    bool process_scope = false;  // node's own callback scope on the process object
    // Entered before the segments a stream is read from: its trigger is
    // taken from the first event node reports inside it.
    bool trigger_unknown = false;
  };

  void OnInit(const Event& e);
  void OnBefore(const Event& e);
  void OnAfter(const Event& e);
  void OnDestroy(const Event& e);
  void OnPromiseResolve(const Event& e);
  void OnAls(const Event& e);

  void TrackHiddenScopes(const Event& e);
  void OnProcessEmit(const Event& e);
  void AdoptStartContext(const Event& e);
  Resource& Placeholder(const Event& e, AsyncId id, const char* why);
  StorageState* Storage(const Event& e, StorageId id);
  void CheckContext(const Event& e, AsyncId eid, AsyncId tid);
  // Every change of the execution stack goes through these two, so that
  // the store policy sees each scope open and close.
  void PushFrame(Frame f, Resource& r, ScopeKind kind);
  void PopFrame();
  void CloseBootstrapScope();

  uint32_t stream_;
  uint64_t* next_resource_key_;
  uint64_t* next_span_key_;
  ModelSink* sink_;
  uint64_t findings_ = 0;
  // Findings handed to the sink, by kind: a damaged or hostile stream can
  // break a rule at every event, and each finding listed costs a row or
  // memory downstream. Past kMaxListedFindingsPerKind of one kind the rest
  // are only counted, and Finish() says how many were left unlisted.
  struct KindCount {
    const char* kind_name = "";
    uint64_t listed = 0, unlisted = 0;
    Severity worst = Severity::kInfo;
  };
  std::map<std::string_view, KindCount> by_kind_;

  Resource top_level_;  // executionAsyncResource() with an empty stack
  Resource process_;    // the process object, resource of node's 'exit'/'beforeExit' scope
  bool process_used_ = false;
  // The resource table: live resources and the graveyard (recently
  // destroyed ones, `destroyed` set: a destroyed AsyncResource can still
  // run, and late events should name what they refer to) share one index
  // from async id to a slot. Slots are reused, with their store vectors'
  // capacity, so the model allocates per live resource, not per event:
  // allocation was the hot path of replay.
  //
  // Node's async ids are dense and increasing, and events mostly name
  // recent ones. A hash table spreads neighbouring ids over random cache
  // lines, so each lookup missed the cache (perf: the index was the largest
  // entry in check's profile). The index is therefore a window indexed
  // directly by the id's low bits, where neighbouring ids share cache
  // lines, in front of a hash table for the rest. Each window position
  // holds one id; when two ids meet there, the newer (larger) one stays and
  // the older one moves to the table: long-lived handles and promises that
  // are never destroyed end up there, the ids events name most stay in the
  // window. A new id usually lies above every id the table ever held, so it
  // is found absent without probing the table.
  class IdIndex {
   public:
    static constexpr uint32_t kNone = UINT32_MAX;
    uint32_t Find(int64_t id) const;
    void Insert(int64_t id, uint32_t slot);  // id must be absent
    void Erase(int64_t id);
   private:
    struct Entry {
      int64_t id = 0;
      uint32_t slot = kNone;  // kNone: empty
    };
    // Fibonacci hashing with linear probing, for the ids the window does
    // not hold.
    class Table {
     public:
      uint32_t Find(int64_t id) const;
      void Insert(int64_t id, uint32_t slot);  // id must be absent
      void Erase(int64_t id);
     private:
      size_t Home(int64_t id) const;
      void Grow();
      std::vector<Entry> entries_;
      size_t size_ = 0;
      int shift_ = 64;
    };
    void MoveToTable(int64_t id, uint32_t slot);
    void GrowWindow();
    // Starts small and doubles while it is at least half full when two ids
    // meet, up to kMaxWindow: a stream with few resources (there is one
    // model per stream) keeps a small one.
    static constexpr size_t kMinWindow = 1024, kMaxWindow = size_t(1) << 17;
    std::vector<Entry> window_;  // id at window_[id & (window_.size() - 1)]
    size_t window_used_ = 0;
    Table table_;
    // The largest id ever moved to the table (it only grows): larger ids
    // are not there.
    int64_t table_max_ = std::numeric_limits<int64_t>::min();
  };
  Resource* Slot(int64_t id);  // live or in the graveyard; nullptr if neither
  Resource& NewSlot(int64_t id);
  void FreeSlot(int64_t id);   // drops a graveyard entry, telling the sink
  std::deque<Resource> slots_;
  std::vector<uint32_t> free_slots_;
  IdIndex index_;
  size_t live_ = 0;
  std::deque<int64_t> graveyard_order_;  // oldest first
  std::vector<Frame> stack_;
  std::unordered_map<StorageId, StorageState> storages_;
  std::unique_ptr<StorePolicy> policy_;
  int64_t first_init_id_ = 0;   // ids below it were created before recording
  // The stream is read from a later segment (`record --max-size` deleted
  // the first ones): storages and stores set before it are unknown.
  bool joined_late_ = false;
  bool started_ = false;        // the first event has been applied
  AsyncId top_level_eid_{1};    // what executionAsyncId() reads with an empty stack
  bool simulate_ = true;        // false for streams without hook events
};

}  // namespace ahtrace
