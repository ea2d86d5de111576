#include "model/async_model.h"

#include "model/store_policy.h"

#include <algorithm>
#include <string>

namespace ahtrace {
namespace {
constexpr size_t kGraveyardSize = 1 << 16;

std::string Id(AsyncId id) { return std::to_string(id.value); }
std::string StoreText(StoreId s) { return s == kUndefinedStore ? "undefined" : "store " + std::to_string(s); }
}  // namespace

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "error";
}

const char* StoreCauseName(StoreCause c) {
  switch (c) {
    case StoreCause::kInit: return "init";
    case StoreCause::kRun: return "run";
    case StoreCause::kRunRestore: return "run-restore";
    case StoreCause::kEnterWith: return "enterWith";
  }
  return "init";
}

StoreId Resource::StoreFor(StorageId storage) const {
  for (const auto& slot : stores)
    if (slot.storage == storage) return slot.store;
  return kUndefinedStore;
}

bool Resource::HasStore(StorageId storage) const {
  for (const auto& slot : stores)
    if (slot.storage == storage) return true;
  return false;
}

void Resource::SetStore(StorageId storage, StoreId store) {
  for (auto& slot : stores) {
    if (slot.storage == storage) {
      slot.store = store;
      return;
    }
  }
  stores.push_back({storage, store});
}

AsyncModel::AsyncModel(uint32_t stream, uint64_t* next_resource_key, uint64_t* next_span_key, ModelSink* sink)
    : stream_(stream), next_resource_key_(next_resource_key), next_span_key_(next_span_key), sink_(sink) {
  // The bootstrap context: id 1, the root of both graphs, and the object
  // executionAsyncResource() returns while the stack is empty.
  top_level_.key = ++*next_resource_key_;
  top_level_.stream = stream;
  top_level_.id = AsyncId(1);
  top_level_.type = "(top-level)";
  top_level_.synthetic = true;
  process_.stream = stream;  // its key is given on first use
  process_.id = AsyncId(0);
  process_.type = "(process)";
  process_.synthetic = true;
  policy_ = MakeAsyncHooksStores(*this, 20);
}

AsyncModel::~AsyncModel() = default;

void AsyncModel::SetRuntime(bool async_context_frame, int node_major, bool hook_events, const std::string& runtime) {
  policy_ = async_context_frame ? MakeContextFrameStores(*this) : MakeAsyncHooksStores(*this, node_major);
  simulate_ = hook_events;
  if (!hook_events) {
    Report(nullptr, finding_kind::kNoHookEvents, Severity::kInfo, AsyncId(0), "", "",
           "this stream comes from " + runtime +
               ", which emits no async_hooks events: AsyncLocalStorage activity is recorded, but stores and "
               "execution contexts cannot be simulated, so nothing is compared");
  }
}

void AsyncModel::PushFrame(Frame f, Resource& r, ScopeKind kind) {
  stack_.push_back(std::move(f));
  policy_->OnEnter(r, kind);
}

// Node runs the main script inside a bootstrap scope whose resource is not
// the object executionAsyncResource() returns at an empty stack afterwards
// (observed on 20 to 26: a store set at the top level with enterWith() is
// not seen by a socket a server accepts later, nor by rejectionHandled);
// with AsyncContextFrame, closing the scope restores the frame that was
// current before it, none.
void AsyncModel::CloseBootstrapScope() {
  top_level_eid_ = AsyncId(0);
  policy_->OnBootstrapScopeClosed();
}

void AsyncModel::PopFrame() {
  Resource* r = stack_.back().process_scope ? &process_ : Lookup(stack_.back().id);
  stack_.pop_back();
  policy_->OnLeave(r);
}

void AsyncModel::Report(const Event* e, const char* kind, Severity sev, AsyncId id, std::string expected,
                        std::string observed, std::string message) {
  ++findings_;
  if (!sink_) return;
  KindCount& count = by_kind_[kind];
  count.kind_name = kind;
  if (count.listed >= kMaxListedFindingsPerKind) {
    ++count.unlisted;
    count.worst = std::max(count.worst, sev);
    return;
  }
  ++count.listed;
  Finding f;
  f.kind = kind;
  f.severity = sev;
  f.stream = stream_;
  if (e) {
    f.has_event = true;
    f.seq = e->seq;
    f.location = e->location;
  }
  f.async_id = id;
  f.expected = std::move(expected);
  f.observed = std::move(observed);
  f.message = std::move(message);
  sink_->OnFinding(f);
}

AsyncId AsyncModel::ExecutionAsyncId() const { return stack_.empty() ? top_level_eid_ : stack_.back().id; }

// When node itself emits 'exit' or 'beforeExit' (the loop ran dry), it
// does so through MakeCallback on the process object with async context
// {0, 0}: executionAsyncId() is 0 and executionAsyncResource() is the
// process object, so a store set at the top level is not visible there
// (observed). When the program calls process.exit() from a callback, the
// emit runs inside that callback instead and nothing changes.
void AsyncModel::OnProcessEmit(const Event& e) {
  if (e.type == "uncaughtException") {
    policy_->OnUncaughtExceptionHandler(e.kind == EventKind::kProcessEmitBegin);
    return;
  }
  if (e.kind == EventKind::kProcessEmitBegin) {
    if (!stack_.empty() || (e.observed && e.observed_eid != AsyncId(0))) return;
    Frame f;
    f.id = AsyncId(0);
    f.trigger = AsyncId(0);
    f.process_scope = true;
    if (!process_used_) process_.key = ++*next_resource_key_;
    process_used_ = true;
    PushFrame(f, process_, ScopeKind::kProcessObject);
    return;
  }
  auto it = std::find_if(stack_.rbegin(), stack_.rend(), [](const Frame& f) { return f.process_scope; });
  if (it == stack_.rend()) return;
  size_t keep = static_cast<size_t>(std::distance(stack_.begin(), std::next(it).base()));
  while (stack_.size() > keep) PopFrame();
}
AsyncId AsyncModel::TriggerAsyncId() const { return stack_.empty() ? AsyncId(0) : stack_.back().trigger; }

const Resource& AsyncModel::ExecutionResource() const {
  if (stack_.empty()) return top_level_;
  if (stack_.back().process_scope) return process_;
  const Resource* r = Find(stack_.back().id);
  return r ? *r : top_level_;
}

Resource& AsyncModel::Current() { return const_cast<Resource&>(ExecutionResource()); }

const Resource* AsyncModel::Find(AsyncId id) const {
  if (id == top_level_.id) return &top_level_;
  uint32_t slot = index_.Find(id.value);
  return slot == IdIndex::kNone ? nullptr : &slots_[slot];
}

Resource* AsyncModel::Slot(int64_t id) {
  uint32_t slot = index_.Find(id);
  return slot == IdIndex::kNone ? nullptr : &slots_[slot];
}

Resource& AsyncModel::NewSlot(int64_t id) {
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    Resource& r = slots_[slot];
    std::vector<StoreSlot> stores = std::move(r.stores);
    stores.clear();
    r = Resource();
    r.stores = std::move(stores);
  }
  index_.Insert(id, slot);
  ++live_;
  return slots_[slot];
}

void AsyncModel::FreeSlot(int64_t id) {
  uint32_t slot = index_.Find(id);
  if (sink_) sink_->OnForget(slots_[slot]);
  index_.Erase(id);
  free_slots_.push_back(slot);
}

uint32_t AsyncModel::IdIndex::Find(int64_t id) const {
  if (!window_.empty()) {
    const Entry& e = window_[static_cast<uint64_t>(id) & (window_.size() - 1)];
    if (e.slot != kNone && e.id == id) return e.slot;
  }
  if (id > table_max_) return kNone;
  return table_.Find(id);
}

void AsyncModel::IdIndex::Insert(int64_t id, uint32_t slot) {
  if (window_.empty()) window_.assign(kMinWindow, Entry());
  Entry* e = &window_[static_cast<uint64_t>(id) & (window_.size() - 1)];
  if (e->slot != kNone && window_.size() < kMaxWindow && window_used_ * 2 >= window_.size()) {
    GrowWindow();
    e = &window_[static_cast<uint64_t>(id) & (window_.size() - 1)];
  }
  if (e->slot == kNone) {
    *e = Entry{id, slot};
    ++window_used_;
  } else if (e->id < id) {
    MoveToTable(e->id, e->slot);
    *e = Entry{id, slot};
  } else {
    MoveToTable(id, slot);
  }
}

void AsyncModel::IdIndex::Erase(int64_t id) {
  if (!window_.empty()) {
    Entry& e = window_[static_cast<uint64_t>(id) & (window_.size() - 1)];
    if (e.slot != kNone && e.id == id) {
      e = Entry();
      --window_used_;
      return;
    }
  }
  if (id <= table_max_) table_.Erase(id);
}

void AsyncModel::IdIndex::MoveToTable(int64_t id, uint32_t slot) {
  table_.Insert(id, slot);
  table_max_ = std::max(table_max_, id);
}

// Ids at different positions of a window stay apart in one twice its size,
// so growing moves nothing to the table.
void AsyncModel::IdIndex::GrowWindow() {
  std::vector<Entry> old = std::move(window_);
  window_.assign(old.size() * 2, Entry());
  size_t mask = window_.size() - 1;
  for (const Entry& e : old)
    if (e.slot != kNone) window_[static_cast<uint64_t>(e.id) & mask] = e;
}

// Fibonacci hashing into a power-of-two table with linear probing; erase
// shifts the following run back, so there are no tombstones.
size_t AsyncModel::IdIndex::Table::Home(int64_t id) const {
  return static_cast<size_t>((static_cast<uint64_t>(id) * 0x9E3779B97F4A7C15ull) >> shift_);
}

uint32_t AsyncModel::IdIndex::Table::Find(int64_t id) const {
  if (entries_.empty()) return kNone;
  size_t mask = entries_.size() - 1;
  for (size_t i = Home(id);; i = (i + 1) & mask) {
    const Entry& e = entries_[i];
    if (e.slot == kNone) return kNone;
    if (e.id == id) return e.slot;
  }
}

void AsyncModel::IdIndex::Table::Grow() {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(old.empty() ? 1024 : old.size() * 2, Entry());
  shift_ = 64 - __builtin_ctzll(entries_.size());
  size_ = 0;
  for (const Entry& e : old)
    if (e.slot != kNone) Insert(e.id, e.slot);
}

void AsyncModel::IdIndex::Table::Insert(int64_t id, uint32_t slot) {
  if ((size_ + 1) * 2 > entries_.size()) Grow();
  size_t mask = entries_.size() - 1;
  size_t i = Home(id);
  while (entries_[i].slot != kNone) i = (i + 1) & mask;
  entries_[i] = Entry{id, slot};
  ++size_;
}

void AsyncModel::IdIndex::Table::Erase(int64_t id) {
  if (entries_.empty()) return;
  size_t mask = entries_.size() - 1;
  size_t i = Home(id);
  while (entries_[i].slot != kNone && entries_[i].id != id) i = (i + 1) & mask;
  if (entries_[i].slot == kNone) return;
  // Move back each later entry of the run whose home lies at or before the hole.
  for (size_t j = (i + 1) & mask; entries_[j].slot != kNone; j = (j + 1) & mask) {
    size_t home = Home(entries_[j].id);
    if (((j - home) & mask) >= ((j - i) & mask)) {
      entries_[i] = entries_[j];
      i = j;
    }
  }
  entries_[i] = Entry();
  --size_;
}

Resource* AsyncModel::Lookup(AsyncId id) { return const_cast<Resource*>(Find(id)); }

StoreId AsyncModel::GetStore(StorageId storage) const {
  auto it = storages_.find(storage);
  if (it == storages_.end()) return kUndefinedStore;
  return policy_->GetStore(it->second);
}

// A resource that events refer to but whose init the trace does not hold:
// made so that the stack and the graphs stay whole.
Resource& AsyncModel::Placeholder(const Event& e, AsyncId id, const char* why) {
  bool before_recording = first_init_id_ == 0 || id.value < first_init_id_;
  Report(&e, finding_kind::kUnknownResource, before_recording ? Severity::kInfo : Severity::kError, id, "", "",
         std::string(EventKindName(e.kind)) + " for async id " + Id(id) + ", which was never initialised" +
             (before_recording ? " (created before recording started)" : "") + why);
  Resource& r = NewSlot(id.value);
  r.key = ++*next_resource_key_;
  r.stream = stream_;
  r.id = id;
  r.type = "(unknown)";
  r.synthetic = true;
  // Its trigger is not in the trace; entering its callback, node reports it
  // as triggerAsyncId(), so the model adopts that (a forked child's IPC
  // channel, created before the preload ran, reports 1).
  if (e.kind == EventKind::kBefore && e.observed) r.trigger = e.observed_tid;
  if (sink_) sink_->OnInit(e, r);
  return r;
}

void AsyncModel::CheckContext(const Event& e, AsyncId eid, AsyncId tid) {
  if (!e.observed || !simulate_) return;
  if (e.observed_eid != eid) {
    Report(&e, finding_kind::kEidMismatch, Severity::kError, e.async_id, Id(eid), Id(e.observed_eid),
           std::string("executionAsyncId() in ") + EventKindName(e.kind) + ": model " + Id(eid) + ", node " +
               Id(e.observed_eid));
  }
  if (e.observed_tid != tid && !stack_.empty() && stack_.back().trigger_unknown) {
    // The callback was entered in a deleted segment: node says its trigger.
    stack_.back().trigger = e.observed_tid;
    stack_.back().trigger_unknown = false;
    if (Resource* r = Lookup(stack_.back().id); r && r->synthetic) r->trigger = e.observed_tid;
  } else if (e.observed_tid != tid) {
    Report(&e, finding_kind::kTidMismatch, Severity::kError, e.async_id, Id(tid), Id(e.observed_tid),
           std::string("triggerAsyncId() in ") + EventKindName(e.kind) + ": model " + Id(tid) + ", node " +
               Id(e.observed_tid));
  }
}

void AsyncModel::SetStore(const Event* e, Resource& r, StorageId storage, StoreId store, StoreCause cause) {
  r.SetStore(storage, store);
  if (sink_) sink_->OnStoreSet(e, r, storage, store, cause);
}

void AsyncModel::Apply(const Event& e) {
  // Node runs the main script and the first tick/microtask drain inside a
  // bootstrap callback scope whose executionAsyncId is 1; once that scope
  // closes, code running with an empty stack (native callbacks such as a
  // server accepting a connection) sees 0. The scope's end is no hook
  // event, so the model takes it from the first empty-stack event node
  // reports with eid 0; any later claim of eid 1 is a mismatch.
  if (stack_.empty() && top_level_eid_ == AsyncId(1) && e.observed && e.observed_eid == AsyncId(0) &&
      e.kind != EventKind::kDestroy) {
    CloseBootstrapScope();
  }
  if (!started_ && simulate_) AdoptStartContext(e);
  TrackHiddenScopes(e);
  switch (e.kind) {
    case EventKind::kInit: OnInit(e); break;
    case EventKind::kBefore: OnBefore(e); break;
    case EventKind::kAfter: OnAfter(e); break;
    case EventKind::kDestroy: OnDestroy(e); break;
    case EventKind::kPromiseResolve: OnPromiseResolve(e); break;
    case EventKind::kListenerAdd:
    case EventKind::kEmitBegin:
    case EventKind::kEmitEnd:
      CheckContext(e, ExecutionAsyncId(), TriggerAsyncId());
      if (sink_) sink_->OnContextEvent(e, ExecutionResource());
      break;
    case EventKind::kProcessEmitBegin:
    case EventKind::kProcessEmitEnd:
      OnProcessEmit(e);
      break;
    case EventKind::kStreamEnd:
    case EventKind::kString:
    case EventKind::kStore:
      break;
    default:
      if (IsAlsEvent(e.kind)) OnAls(e);
      break;
  }
}

// Recording starts when the preload enables its hook, which may be inside
// a callback that began before: a worker thread's script runs inside the
// callback of its MESSAGEPORT. The first event then shows a context the
// trace never entered; the model adopts it as an open callback of a
// resource created before recording.
void AsyncModel::AdoptStartContext(const Event& e) {
  started_ = true;
  if (!e.observed || !stack_.empty() || e.kind == EventKind::kDestroy || e.kind == EventKind::kBefore) return;
  if (e.observed_eid.value <= 1 || Find(e.observed_eid)) return;
  Resource& r = NewSlot(e.observed_eid.value);
  r.key = ++*next_resource_key_;
  r.stream = stream_;
  r.id = e.observed_eid;
  r.trigger = e.observed_tid;
  r.type = "(before recording)";
  r.synthetic = true;
  r.callbacks = 1;
  Frame f;
  f.id = r.id;
  f.trigger = r.trigger;
  f.span.key = ++*next_span_key_;
  f.span.id = r.id;
  f.span.resource_key = r.key;
  f.span.before_seq = e.seq;  // entered before the trace began: its first event stands in
  f.span.before_ts_ns = e.ts_ns;
  PushFrame(f, r, ScopeKind::kAdopted);
  Report(&e, finding_kind::kUnknownResource, Severity::kInfo, r.id, "", "",
         "recording started inside a callback of async id " + Id(r.id) + ", created before recording started");
}

// Node enters some contexts without emitting before/after: it runs
// `unhandledRejection` handlers inside the rejected promise's context
// (lib/internal/process/promises.js pushes it directly). The hook stream
// has no event for that push, so the model recognises it from what node
// reported: with an empty stack, an event claiming the context of a settled
// promise, with that promise's trigger, opens such a scope; the first event
// in any other context, or any before/after, closes it.
void AsyncModel::TrackHiddenScopes(const Event& e) {
  if (!e.observed || e.kind == EventKind::kDestroy) return;
  // (An after for the hidden frame itself is node unwinding it after an
  // uncaught exception: OnAfter pops it.)
  while (!stack_.empty() && stack_.back().hidden &&
         (e.kind == EventKind::kBefore || (e.kind == EventKind::kAfter && e.async_id != stack_.back().id) ||
          e.observed_eid != stack_.back().id)) {
    PopFrame();
  }
  if (!stack_.empty() || e.kind == EventKind::kBefore || e.kind == EventKind::kAfter) return;
  if (e.observed_eid == top_level_eid_ || e.observed_eid == AsyncId(0)) return;
  Resource* p = Lookup(e.observed_eid);
  if (!p || p->type != "PROMISE" || p->resolve_seq == kNoSeq || p->trigger != e.observed_tid) return;
  Frame f;
  f.id = p->id;
  f.trigger = p->trigger;
  f.hidden = true;
  PushFrame(f, *p, ScopeKind::kHiddenPromise);
}

void AsyncModel::OnInit(const Event& e) {
  // Inside init, node reports the creating context.
  CheckContext(e, ExecutionAsyncId(), TriggerAsyncId());
  if (first_init_id_ == 0) first_init_id_ = e.async_id.value;
  Resource* old = Slot(e.async_id.value);
  if ((old && !old->destroyed) || e.async_id == top_level_.id) {
    Report(&e, finding_kind::kInitTwice, Severity::kError, e.async_id, "", "",
           "init for async id " + Id(e.async_id) + ", which is already alive");
    return;
  }
  if (old) FreeSlot(e.async_id.value);  // a destroyed one's id, reused
  Resource& creator = Current();
  const Resource* trigger = Find(e.trigger_id);  // before the new one is in the table
  Resource& r = NewSlot(e.async_id.value);
  r.key = ++*next_resource_key_;
  r.stream = stream_;
  r.id = e.async_id;
  r.trigger = e.trigger_id;
  r.creator = ExecutionAsyncId();
  r.creator_key = creator.key;
  r.type = e.type.empty() ? std::string_view("(no type)") : e.type;  // a damaged record
  r.site = e.site;
  r.init_seq = e.seq;
  r.init_ts_ns = e.ts_ns;
  r.trigger_key = trigger ? trigger->key : 0;
  bool trigger_known = e.trigger_id.value <= 1 || trigger != nullptr;
  Resource& stored = r;
  // What the new resource carries (the policy: copied slots, or the frame).
  policy_->OnInit(e, stored, creator);
  std::sort(stored.stores.begin(), stored.stores.end(),
            [](const StoreSlot& a, const StoreSlot& b) { return a.storage < b.storage; });
  if (!trigger_known) {
    bool before_recording = e.trigger_id.value < first_init_id_;
    Report(&e, finding_kind::kUnknownTrigger, Severity::kInfo, e.async_id, "", Id(e.trigger_id),
           "init of " + std::string(e.type) + " " + Id(e.async_id) + " names trigger " + Id(e.trigger_id) +
               (before_recording ? ", created before recording started"
                                 : ", which is not a known resource (destroyed or never initialised)"));
  }
  if (sink_) {
    sink_->OnInit(e, stored);
    for (const auto& slot : stored.stores) sink_->OnStoreSet(&e, stored, slot.storage, slot.store, StoreCause::kInit);
  }
}

void AsyncModel::OnBefore(const Event& e) {
  Resource* r = Lookup(e.async_id);
  if (!r) r = &Placeholder(e, e.async_id, "");
  if (r->destroyed) {
    Report(&e, finding_kind::kCallbackAfterDestroy, Severity::kWarning, e.async_id, "", "",
           "before for " + std::string(r->type) + " " + Id(e.async_id) +
               " after its destroy (an AsyncResource run after emitDestroy())");
  }
  Frame f;
  f.id = e.async_id;
  f.trigger = r->trigger;
  f.trigger_unknown = joined_late_ && !e.observed && r->synthetic;
  f.span.key = ++*next_span_key_;
  f.span.parent_key = stack_.empty() ? 0 : stack_.back().span.key;  // hidden frames were closed
  f.span.depth = static_cast<uint32_t>(stack_.size());
  f.span.id = e.async_id;
  f.span.resource_key = r->key;
  f.span.before_seq = e.seq;
  f.span.before_ts_ns = e.ts_ns;
  PushFrame(f, *r, ScopeKind::kCallback);
  // Hooks' before runs after the push: node reports the entered resource.
  CheckContext(e, f.id, f.trigger);
  ++r->callbacks;
  if (r->first_before_seq == kNoSeq) {
    r->first_before_seq = e.seq;
    r->first_before_ts_ns = e.ts_ns;
  }
  if (sink_) sink_->OnBefore(e, *r, stack_.back().span);
}

void AsyncModel::OnAfter(const Event& e) {
  // After an uncaught exception that a handler caught, node emits after for
  // every entry of its stack, including scopes the hooks never announced:
  // a hidden promise context, and the bootstrap scope (id 1) when the throw
  // came from the main script (observed).
  if (!stack_.empty() && stack_.back().hidden && stack_.back().id == e.async_id) {
    CheckContext(e, stack_.back().id, stack_.back().trigger);
    PopFrame();
    return;
  }
  if (stack_.empty() && e.async_id == AsyncId(1) && top_level_eid_ == AsyncId(1)) {
    CheckContext(e, AsyncId(1), AsyncId(0));
    CloseBootstrapScope();
    return;
  }
  if (stack_.empty()) {
    Report(&e, finding_kind::kAfterWithoutBefore, Severity::kError, e.async_id, "", Id(e.async_id),
           "after for async id " + Id(e.async_id) + " with an empty execution stack");
    return;
  }
  if (stack_.back().id != e.async_id) {
    auto it = std::find_if(stack_.rbegin(), stack_.rend(), [&](const Frame& f) { return f.id == e.async_id; });
    if (it == stack_.rend()) {
      Report(&e, finding_kind::kAfterWithoutBefore, Severity::kError, e.async_id, Id(stack_.back().id),
             Id(e.async_id), "after for async id " + Id(e.async_id) + ", which is not on the execution stack");
      return;
    }
    // Node's check: "async hook stack has become corrupted (actual: A,
    // expected: E)", fatal. Recover by unwinding to the named frame.
    Report(&e, finding_kind::kStackCorrupted, Severity::kError, e.async_id, Id(stack_.back().id), Id(e.async_id),
           "async hook stack has become corrupted (actual: " + Id(e.async_id) +
               ", expected: " + Id(stack_.back().id) + ")");
    while (stack_.back().id != e.async_id) PopFrame();
  }
  // Hooks' after runs before the pop.
  CheckContext(e, stack_.back().id, stack_.back().trigger);
  Frame f = stack_.back();
  PopFrame();
  f.span.after_seq = e.seq;
  f.span.after_ts_ns = e.ts_ns;
  Resource* r = Lookup(e.async_id);
  if (r) {
    r->last_after_seq = e.seq;
    r->last_after_ts_ns = e.ts_ns;
    if (sink_) sink_->OnAfter(e, *r, f.span);
  }
}

void AsyncModel::OnDestroy(const Event& e) {
  // Destroy hooks run from the destroy queue, with no JS context.
  CheckContext(e, AsyncId(0), AsyncId(0));
  Resource* live = Slot(e.async_id.value);
  if (!live || live->destroyed) {
    Resource* dead = Lookup(e.async_id);
    if (dead && dead->destroyed) {
      Report(&e, finding_kind::kDestroyTwice, Severity::kWarning, e.async_id, "", "",
             "second destroy for " + std::string(dead->type) + " " + Id(e.async_id) +
                 " (node 20 emits it for a double emitDestroy())");
    } else {
      bool before_recording = first_init_id_ == 0 || e.async_id.value < first_init_id_;
      Report(&e, finding_kind::kUnknownResource, before_recording ? Severity::kInfo : Severity::kError,
             e.async_id, "", "",
             "destroy for async id " + Id(e.async_id) + ", which was never initialised" +
                 (before_recording ? " (created before recording started)" : ""));
    }
    return;
  }
  Resource& r = *live;
  r.destroyed = true;
  r.destroy_seq = e.seq;
  r.destroy_ts_ns = e.ts_ns;
  if (sink_) sink_->OnDestroy(e, r);
  --live_;
  graveyard_order_.push_back(e.async_id.value);
  if (graveyard_order_.size() > kGraveyardSize) {
    int64_t oldest = graveyard_order_.front();
    graveyard_order_.pop_front();
    Resource* g = Slot(oldest);
    if (g && g->destroyed) {
      // Still running (on the stack)? Then keep it a little longer.
      bool running = std::any_of(stack_.begin(), stack_.end(), [&](const Frame& f) { return f.id.value == oldest; });
      if (!running) FreeSlot(oldest);
    }
  }
}

void AsyncModel::OnPromiseResolve(const Event& e) {
  // promiseResolve runs synchronously where V8 settles the promise.
  CheckContext(e, ExecutionAsyncId(), TriggerAsyncId());
  Resource* r = Lookup(e.async_id);
  if (!r) r = &Placeholder(e, e.async_id, "");
  if (r->resolve_seq == kNoSeq) {
    r->resolve_seq = e.seq;
    r->resolve_ts_ns = e.ts_ns;
    policy_->OnPromiseResolve(*r);
  }
  if (sink_) sink_->OnPromiseResolve(e, *r, ExecutionResource());
}

StorageState* AsyncModel::Storage(const Event& e, StorageId id) {
  auto it = storages_.find(id);
  if (it != storages_.end()) return &it->second;
  Report(&e, finding_kind::kUnknownStorage, joined_late_ ? Severity::kInfo : Severity::kError, AsyncId(0), "",
         std::to_string(id),
         std::string(EventKindName(e.kind)) + " for storage " + std::to_string(id) +
             (joined_late_ ? ", created before the segments this stream is read from" : ", never created"));
  StorageState& s = storages_[id];
  s.id = id;
  // Used before the window: it was enabled then (a store was set).
  if (joined_late_) s.enabled = true;
  return &s;
}

void AsyncModel::OnAls(const Event& e) {
  CheckContext(e, ExecutionAsyncId(), TriggerAsyncId());
  if (e.kind == EventKind::kAlsCreate) {
    StorageState& s = storages_[e.storage];
    s.id = e.storage;
    s.enabled = false;
    s.default_store = e.store;  // what getStore() returned right after construction
    s.created_seq = e.seq;
    s.site = e.site;
    policy_->OnAlsCall(e, s);
    if (sink_) sink_->OnStorageEvent(e, s);
    return;
  }
  if (e.kind == EventKind::kAlsExpect) {
    // What the program's instrumentation saw about the next read: for the
    // sinks (check's wrong-store rule), not a change of any store.
    if (sink_) sink_->OnContextEvent(e, ExecutionResource());
    return;
  }
  StorageState* s = Storage(e, e.storage);
  if (e.kind == EventKind::kAlsGetStore) {
    StoreId expected = simulate_ ? policy_->GetStore(*s) : e.store;
    if (expected != e.store) {
      // A stream read from a later segment does not hold the stores set
      // before it: the model cannot know them, which is no fault of node's.
      Report(&e, finding_kind::kStoreMismatch, joined_late_ ? Severity::kInfo : Severity::kError,
             ExecutionAsyncId(), StoreText(expected), StoreText(e.store),
             "getStore() of storage " + std::to_string(s->id) + " in async id " + Id(ExecutionAsyncId()) +
                 ": model " + StoreText(expected) + ", node returned " + StoreText(e.store) + " (" +
                 policy_->name() + " stores" +
                 (joined_late_ ? "; the stream is read from a later segment: stores set before it are unknown" : "") +
                 ")");
    }
    if (sink_) sink_->OnGetStore(e, expected, ExecutionResource());
  } else {
    policy_->OnAlsCall(e, *s);
    if (sink_) sink_->OnStorageEvent(e, *s);
  }
  if (sink_) sink_->OnContextEvent(e, ExecutionResource());
}

void AsyncModel::Finish() {
  while (!stack_.empty() && (stack_.back().hidden || stack_.back().process_scope)) PopFrame();
  std::vector<CallbackSpan> unfinished;
  for (const auto& f : stack_) unfinished.push_back(f.span);
  if (!stack_.empty()) {
    Report(nullptr, finding_kind::kUnfinishedCallback, Severity::kInfo, stack_.back().id, "", "",
           std::to_string(stack_.size()) + " callback(s) never finished (innermost: async id " +
               Id(stack_.back().id) + "); process.exit() or a kill inside a callback does this");
  }
  for (const auto& [kind, count] : by_kind_) {
    if (!count.unlisted || !sink_) continue;
    Finding f;
    f.kind = count.kind_name;
    f.severity = count.worst;
    f.stream = stream_;
    f.message = "and " + std::to_string(count.unlisted) + " more " + std::string(kind) +
                " findings in this stream, not listed (the first " + std::to_string(kMaxListedFindingsPerKind) +
                " are)";
    sink_->OnFinding(f);
  }
  std::vector<const Resource*> alive;
  alive.reserve(live_ + 2);
  alive.push_back(&top_level_);
  if (process_used_) alive.push_back(&process_);
  std::vector<bool> is_free(slots_.size());
  for (uint32_t slot : free_slots_) is_free[slot] = true;
  for (size_t slot = 0; slot < slots_.size(); ++slot)
    if (!is_free[slot] && !slots_[slot].destroyed) alive.push_back(&slots_[slot]);
  std::sort(alive.begin(), alive.end(), [](const Resource* a, const Resource* b) { return a->key < b->key; });
  if (sink_) sink_->OnStreamEnd(stream_, alive, unfinished);
}

}  // namespace ahtrace
