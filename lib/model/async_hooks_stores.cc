// AsyncLocalStorage on async_hooks (lib/internal/async_local_storage/
// async_hooks.js; lib/async_hooks.js in node 20): stores are slots on
// resource objects.
//
// - Propagation: the storages' one shared init hook copies, for every
//   *enabled* storage, the executing resource's slot into the new resource.
// - run(store, fn): if `store` is what getStore() returns, node just calls
//   fn. Otherwise it enables the storage, writes the executing resource's
//   slot, and its `finally` restores the old slot value on that same
//   resource.
// - enterWith(store): enables the storage and writes the executing
//   resource's slot for good.
// - exit(fn): if enabled, disables for the duration and re-enables after.
// - disable(): stops propagation; getStore() is undefined (the default
//   value on 24+) until run/enterWith enable it again; slots stay.
// - The main script runs in a bootstrap scope on its own resource; once it
//   closes, an empty stack means node's topLevelResource, another object:
//   a top-level enterWith() does not reach code at eid 0 after that.
// - Node 24+ enables a storage when it is constructed and returns
//   `defaultValue` when the executing resource has no slot for it; 20 and
//   22 start disabled and have no default.
#include <string>
#include <vector>

#include "model/store_policy.h"

namespace ahtrace {
namespace {

class AsyncHooksStores : public StorePolicy {
 public:
  AsyncHooksStores(AsyncModel& model, int node_major) : model_(model), enabled_at_construction_(node_major >= 24) {}

  const char* name() const override { return "async_hooks"; }

  void OnInit(const Event&, Resource& r, Resource& creator) override {
    const Resource& from = model_.Idle() ? idle_top_level_ : creator;
    for (StorageId id : enabled_) r.stores.push_back({id, from.StoreFor(id)});
  }

  // Scopes change which resource executes, and that is all the model needs:
  // the stores are on the resources.
  void OnEnter(Resource&, ScopeKind) override {}
  void OnLeave(Resource*) override {}
  void OnPromiseResolve(Resource&) override {}
  void OnBootstrapScopeClosed() override {}
  void OnUncaughtExceptionHandler(bool) override {}

  StoreId GetStore(const StorageState& s) const override {
    if (!s.enabled) return s.default_store;
    const Resource& current = model_.Idle() ? idle_top_level_ : model_.Current();
    return current.HasStore(s.id) ? current.StoreFor(s.id) : s.default_store;
  }

  void OnAlsCall(const Event& e, StorageState& s) override {
    Resource& current = model_.Idle() ? idle_top_level_ : model_.Current();
    switch (e.kind) {
      case EventKind::kAlsCreate:
        if (enabled_at_construction_) Enable(s);
        break;
      case EventKind::kAlsRunBegin: {
        // `if (ObjectIs(store, this.getStore())) return callback()`.
        RunFrame f{true, s.id, current.id, current.StoreFor(s.id), GetStore(s) != e.store,
                   model_.InProcessScope(), model_.Idle()};
        runs_.push_back(f);
        if (f.changed) {
          Enable(s);
          model_.SetStore(&e, current, s.id, e.store, StoreCause::kRun);
        }
        break;
      }
      case EventKind::kAlsRunEnd:
      case EventKind::kAlsExitEnd: {
        bool is_run = e.kind == EventKind::kAlsRunEnd;
        RunFrame f{};
        if (!CloseMatchingRun(model_, e, s.id, is_run, runs_, &f)) break;
        if (is_run && f.changed) {
          // `finally { resourceStore[kResourceStore] = oldStore; }` on the
          // resource run() started in.
          if (Resource* r = f.on_process ? &model_.ProcessObject() : f.on_idle ? &idle_top_level_ : model_.Lookup(f.resource))
            model_.SetStore(&e, *r, s.id, f.old_store, StoreCause::kRunRestore);
        } else if (!is_run && f.changed) {
          Enable(s);
        }
        break;
      }
      case EventKind::kAlsEnterWith:
        Enable(s);
        model_.SetStore(&e, current, s.id, e.store, StoreCause::kEnterWith);
        break;
      case EventKind::kAlsExitBegin:
        runs_.push_back({false, s.id, current.id, kUndefinedStore, s.enabled, false, false});
        Disable(s);
        break;
      case EventKind::kAlsDisable:
        Disable(s);
        break;
      default:
        break;
    }
  }

 private:
  struct RunFrame {
    bool is_run;          // run() or exit()
    StorageId storage;
    AsyncId resource;     // run: the resource whose slot was replaced
    StoreId old_store;    // run: restored at the end
    bool changed;         // run: false when node took the "same store" shortcut
                          // exit: true when the storage was enabled (re-enable at end)
    bool on_process;      // run: started in node's exit scope (the process object)
    bool on_idle;         // run: started at the idle top level
  };

  void Enable(StorageState& s) {
    if (s.enabled) return;
    s.enabled = true;
    enabled_.push_back(s.id);
  }
  void Disable(StorageState& s) {
    if (!s.enabled) return;
    s.enabled = false;
    for (size_t i = 0; i < enabled_.size(); ++i) {
      if (enabled_[i] == s.id) {
        enabled_.erase(enabled_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }

  AsyncModel& model_;
  // topLevelResource: what executionAsyncResource() is at an empty stack
  // once the bootstrap scope (the main script's own resource, the model's
  // top-level resource) has closed. Stores written there are its own.
  Resource idle_top_level_;
  bool enabled_at_construction_;
  std::vector<StorageId> enabled_;  // storageList: enabled storages, in enabling order
  std::vector<RunFrame> runs_;
};

}  // namespace

std::unique_ptr<StorePolicy> MakeAsyncHooksStores(AsyncModel& model, int node_major) {
  return std::make_unique<AsyncHooksStores>(model, node_major);
}

}  // namespace ahtrace
