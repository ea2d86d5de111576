// AsyncLocalStorage on AsyncContextFrame (lib/internal/async_context_frame.js
// and lib/internal/async_local_storage/async_context_frame.js; the default
// from node 24, `--experimental-async-context-frame` on 22): stores live in
// a frame, a map storage -> store that V8 keeps as the isolate's
// continuation-preserved embedder data.
//
// - Capture: every resource takes the frame current at its creation
//   (AsyncWrap in C++, Timeout/Immediate/TickObject/AsyncResource in JS;
//   V8 takes it for a promise reaction when then()/await creates it, which
//   is the init of the promise whose before/after wraps the reaction).
// - Callbacks: entering a resource's callback installs its frame; leaving
//   restores the frame that was current before.
// - Thenables: a promise resolved with a thenable runs the thenable's
//   then() in a job V8 queues at resolve time, with the frame current then;
//   async_hooks shows that job as a callback of the resolved promise.
//   resolve(thenable) itself emits no hook event (promiseResolve comes when
//   the thenable calls back), so the model knows the resolve's frame only
//   where a then() handler returned the thenable: the promise's own
//   callback ended there. A thenable passed to resolve() elsewhere (a
//   timer, an async function's return) is a known gap (docs/model.md).
// - unhandledRejection handlers run with the frame current when the promise
//   was rejected (node saves it in its pending-rejection map).
// - 'beforeExit'/'exit' emitted by node itself run with no frame
//   (MakeCallback on the process object passes none).
// - The main script's scope restores, when it closes, the frame that was
//   current before it (none): a top-level enterWith() is seen by what the
//   main script and its first tick/microtask drain create, not by code
//   that runs at eid 0 afterwards (a socket a server accepts).
// - run(store, fn): returns fn() untouched if getStore() is already `store`;
//   otherwise enterWith(store), fn, then enterWith(previous getStore()) -
//   a *new* frame, so other storages' changes made inside fn survive it.
// - exit(fn) is run(undefined, fn).
// - enterWith(store): a new frame, the current one plus storage -> store.
// - disable(): deletes the storage from the current frame object itself;
//   every resource that captured that same object loses it too.
// - getStore(): the frame's value if it has the storage, else the default
//   value (node 24+; 22 has none, and the recorder reads the default as
//   getStore() of a fresh storage, which is then undefined).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/store_policy.h"

namespace ahtrace {
namespace {

class ContextFrameStores : public StorePolicy {
 public:
  explicit ContextFrameStores(AsyncModel& model) : model_(model) {}

  const char* name() const override { return "AsyncContextFrame"; }

  void OnInit(const Event&, Resource& r, Resource&) override {
    if (!current_) return;
    Frames(r).frame = current_;
    r.stores = current_->slots;
  }

  void OnEnter(Resource& r, ScopeKind kind) override {
    microtask_frame_.reset();
    microtask_left_ = false;
    saved_.push_back(current_);
    switch (kind) {
      case ScopeKind::kCallback:
        // A promise entered again after a callback of its own is a then()
        // promise whose handler returned a thenable: this is the thenable
        // job, queued when the handler returned, with the frame current
        // then. (One settled before its first callback likewise.)
        if (!r.frames)
          current_ = nullptr;
        else if (r.type == "PROMISE" && r.callbacks > 0)
          current_ = r.frames->exit_frame;
        else if (r.type == "PROMISE" && r.frames->settled)
          current_ = r.frames->settle_frame;
        else
          current_ = r.frames->frame;
        break;
      case ScopeKind::kHiddenPromise:
        current_ = !r.frames ? nullptr : r.frames->settled ? r.frames->settle_frame : r.frames->frame;
        break;
      case ScopeKind::kProcessObject:
        current_ = nullptr;
        break;
      case ScopeKind::kAdopted:
        // Entered before recording: whatever frame was current then is
        // unknown; the recorder starts before the program's code, so none.
        break;
    }
  }

  void OnLeave(Resource* r) override {
    if (r && r->type == "PROMISE" && (current_ || r->frames)) Frames(*r).exit_frame = current_;
    // V8 runs a queueMicrotask job with the frame it captured at enqueue,
    // and node's runInAsyncScope inside it restores to that on the way
    // out: a throw from the callback reaches 'uncaughtException' after the
    // microtask's `after`, still with that frame (observed on 22acf, 24,
    // 26: tests/e2e_programs/acf_uncaught.js).
    microtask_frame_ = r && r->type == "Microtask" && r->frames ? r->frames->frame : nullptr;
    microtask_left_ = r && r->type == "Microtask";
    if (saved_.empty()) return;
    current_ = std::move(saved_.back());
    saved_.pop_back();
  }

  void OnUncaughtExceptionHandler(bool begin) override {
    if (begin && microtask_left_) {
      handler_saved_.push_back(current_);
      current_ = microtask_frame_;
      in_microtask_handler_.push_back(true);
    } else if (begin) {
      in_microtask_handler_.push_back(false);
    } else if (!in_microtask_handler_.empty()) {
      if (in_microtask_handler_.back() && !handler_saved_.empty()) {
        current_ = handler_saved_.back();
        handler_saved_.pop_back();
      }
      in_microtask_handler_.pop_back();
    }
    microtask_left_ = false;
    microtask_frame_.reset();
  }

  void OnBootstrapScopeClosed() override { current_ = nullptr; }

  void OnPromiseResolve(Resource& r) override {
    ResourceFrames& f = Frames(r);
    f.settle_frame = current_;
    f.settled = true;
  }

  StoreId GetStore(const StorageState& s) const override {
    if (current_)
      for (const auto& slot : current_->slots)
        if (slot.storage == s.id) return slot.store;
    return s.default_store;
  }

  void OnAlsCall(const Event& e, StorageState& s) override {
    switch (e.kind) {
      case EventKind::kAlsRunBegin:
      case EventKind::kAlsExitBegin: {
        // exit(fn) is run(undefined, fn).
        StoreId target = e.kind == EventKind::kAlsRunBegin ? e.store : kUndefinedStore;
        StoreId prior = GetStore(s);
        bool is_run = e.kind == EventKind::kAlsRunBegin;
        runs_.push_back({s.id, is_run, prior, prior != target});
        if (prior != target) EnterWith(&e, s, target, StoreCause::kRun);
        if (!is_run) ++exits_open_[s.id];
        UpdateDetached(s);
        break;
      }
      case EventKind::kAlsRunEnd:
      case EventKind::kAlsExitEnd: {
        bool is_run = e.kind == EventKind::kAlsRunEnd;
        RunFrame f{};
        if (!CloseMatchingRun(model_, e, s.id, is_run, runs_, &f)) break;
        // `finally { this.enterWith(prior) }`: a new frame.
        if (f.changed) EnterWith(&e, s, f.prior, StoreCause::kRunRestore);
        if (!is_run) --exits_open_[s.id];
        UpdateDetached(s);
        break;
      }
      case EventKind::kAlsEnterWith:
        EnterWith(&e, s, e.store, StoreCause::kEnterWith);
        UpdateDetached(s);
        break;
      case EventKind::kAlsDisable:
        // Mutates the frame object every holder shares.
        if (current_) {
          auto& slots = current_->slots;
          for (size_t i = 0; i < slots.size(); ++i) {
            if (slots[i].storage == s.id) {
              slots.erase(slots.begin() + static_cast<std::ptrdiff_t>(i));
              break;
            }
          }
        }
        disabled_.insert(s.id);
        UpdateDetached(s);
        break;
      default:
        break;
    }
  }

 private:
  struct RunFrame {
    StorageId storage;
    bool is_run;
    StoreId prior;   // getStore() when run()/exit() began
    bool changed;    // false: node took the "same store" shortcut
  };

  void EnterWith(const Event* e, StorageState& s, StoreId store, StoreCause cause) {
    auto frame = std::make_shared<ContextFrame>();
    if (current_) frame->slots = current_->slots;
    bool found = false;
    for (auto& slot : frame->slots) {
      if (slot.storage == s.id) {
        slot.store = store;
        found = true;
      }
    }
    if (!found) frame->slots.push_back({s.id, store});
    current_ = std::move(frame);
    disabled_.erase(s.id);
    // Sinks follow stores per resource: tell them the executing one now
    // runs with this store (the frame is not the resource's, but this is
    // where the code that runs next reads it).
    model_.SetStore(e, model_.Current(), s.id, store, cause);
  }

  static ResourceFrames& Frames(Resource& r) {
    if (!r.frames) r.frames = std::make_unique<ResourceFrames>();
    return *r.frames;
  }

  // StorageState::enabled for sinks: not inside exit(), not after disable().
  void UpdateDetached(StorageState& s) { s.enabled = !disabled_.count(s.id) && exits_open_[s.id] == 0; }

  AsyncModel& model_;
  ContextFramePtr current_;             // null: no frame (getStore() gives defaults)
  std::vector<ContextFramePtr> saved_;  // the frame to restore when each open scope closes
  std::vector<RunFrame> runs_;
  // The last scope left was a queueMicrotask job (and its frame): see OnLeave.
  bool microtask_left_ = false;
  ContextFramePtr microtask_frame_;
  std::vector<bool> in_microtask_handler_;    // per open 'uncaughtException' emit
  std::vector<ContextFramePtr> handler_saved_;
  std::set<StorageId> disabled_;             // disable()d and not run()/enterWith() since
  std::map<StorageId, int> exits_open_;      // exit() calls not yet returned
};

}  // namespace

std::unique_ptr<StorePolicy> MakeContextFrameStores(AsyncModel& model) {
  return std::make_unique<ContextFrameStores>(model);
}

}  // namespace ahtrace
