// Where AsyncLocalStorage stores move: the one question on which node's two
// AsyncLocalStorage implementations differ.
//
// The async_hooks model (async_model.h) keeps the execution stack and the
// resource table, which are the same on every node line. It asks a
// StorePolicy at each point where a store can move: a resource is created,
// a callback scope opens or closes, a promise settles, and an
// AsyncLocalStorage method runs. Two policies, side by side:
//
//  - AsyncHooksStores (async_hooks_stores.cc): node 20 and 22, and 24+ with
//    --no-async-context-frame. Stores live on resource objects, one slot per
//    storage; the storage's own init hook copies the executing resource's
//    slot into every new resource; run() and enterWith() write the executing
//    resource's slot; getStore() reads it.
//  - ContextFrameStores (context_frame_stores.cc): AsyncContextFrame, the
//    default from node 24 (and 22 with --experimental-async-context-frame).
//    Stores live in an immutable-by-convention map (the "frame") held in
//    V8's continuation data; run() and enterWith() install a new frame;
//    every resource captures the current frame when it is created, and its
//    callbacks run with that frame, restoring the previous one after.
//
// docs/model.md lists the rules each follows, with the experiments that
// established them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model/async_model.h"

namespace ahtrace {

// How a callback scope was opened.
enum class ScopeKind {
  kCallback,        // before(x)
  kHiddenPromise,   // node runs an unhandledRejection handler in the promise's context, without hooks
  kProcessObject,   // node emits 'beforeExit'/'exit' through MakeCallback on the process object
  kAdopted,         // recording started inside a callback entered before the recorder
};

class StorePolicy {
 public:
  virtual ~StorePolicy() = default;
  // "async_hooks" or "AsyncContextFrame": the implementation's name as the
  // stream header and docs/model.md spell it.
  virtual const char* name() const = 0;

  // A resource was created (init) while `creator` was executing.
  virtual void OnInit(const Event& e, Resource& r, Resource& creator) = 0;
  // A callback scope of `r` opened / the innermost one closed. Every push
  // of the model's execution stack is matched by exactly one OnLeave.
  virtual void OnEnter(Resource& r, ScopeKind kind) = 0;
  virtual void OnLeave(Resource* r) = 0;  // r: the scope's resource, if still known
  // The bootstrap scope that ran the main script (eid 1) has closed: from
  // now on an empty stack is node's idle top level (eid 0).
  virtual void OnBootstrapScopeClosed() = 0;
  // promiseResolve: the promise settled (resolved or rejected) here.
  virtual void OnPromiseResolve(Resource& r) = 0;
  // process.emit('uncaughtException') begins (true) / ends (false).
  virtual void OnUncaughtExceptionHandler(bool begin) = 0;
  // alsRunBegin/End, alsExitBegin/End, alsEnterWith, alsDisable.
  virtual void OnAlsCall(const Event& e, StorageState& storage) = 0;
  // What getStore() of `storage` returns now.
  virtual StoreId GetStore(const StorageState& storage) const = 0;
};

// Both policies keep StorageState::enabled for sinks as "the storage is not
// detached on purpose": false inside exit() and after disable() until the
// next run()/enterWith(), so that check tells "no store by design" from
// "lost". With async_hooks that is node's own flag.


// Both policies keep a stack of open run()/exit() calls. Pops into
// *closed the one an alsRunEnd/alsExitEnd closes; in a damaged trace it
// reports als-unbalanced and unwinds to the matching begin. False when
// there is none (the end is then ignored).
template <typename RunFrame>
bool CloseMatchingRun(AsyncModel& model, const Event& e, StorageId storage, bool is_run,
                      std::vector<RunFrame>& runs, RunFrame* closed) {
  if (runs.empty() || runs.back().is_run != is_run || runs.back().storage != storage) {
    size_t i = runs.size();
    while (i > 0 && !(runs[i - 1].is_run == is_run && runs[i - 1].storage == storage)) --i;
    // In a stream read from a later segment, a call with no begin at all
    // began in a deleted segment.
    bool began_before = i == 0 && model.joined_late();
    model.Report(&e, finding_kind::kAlsUnbalanced, began_before ? Severity::kInfo : Severity::kError,
                 model.Current().id, "", "",
                 std::string(EventKindName(e.kind)) + " for storage " + std::to_string(storage) +
                     (began_before ? " closes a run()/exit() that began before the segments this stream is read from"
                                   : " does not close the innermost run()/exit()"));
    if (i == 0) return false;
    runs.resize(i);
  }
  *closed = runs.back();
  runs.pop_back();
  return true;
}

// `node_major` selects the rules of that line (24+ enables a storage when
// it is constructed and honours `defaultValue`; 20 and 22 do neither).
std::unique_ptr<StorePolicy> MakeAsyncHooksStores(AsyncModel& model, int node_major);
std::unique_ptr<StorePolicy> MakeContextFrameStores(AsyncModel& model);

}  // namespace ahtrace
