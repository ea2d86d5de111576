// Scenario tests for the async_hooks model: each drives the simulator with
// the exact event sequence node 20 emits (as recorded, or as node's own
// test/async-hooks expects) and asserts what the model computes at each
// point, and which findings it reports.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/async_model.h"

namespace ahtrace {
namespace {

// Collects what the model tells its sinks.
struct CollectingSink : ModelSink {
  std::vector<Finding> findings;
  std::vector<CallbackSpan> finished;
  std::vector<std::pair<StoreId, StoreId>> reads;  // (expected, observed)
  std::vector<const Resource*> alive;
  void OnFinding(const Finding& f) override { findings.push_back(f); }
  void OnAfter(const Event&, const Resource&, const CallbackSpan& s) override { finished.push_back(s); }
  void OnGetStore(const Event& e, StoreId expected, const Resource&) override { reads.push_back({expected, e.store}); }
  void OnStreamEnd(uint32_t, const std::vector<const Resource*>& a, const std::vector<CallbackSpan>&) override {
    alive = a;
  }
  std::vector<std::string> Kinds() const {
    std::vector<std::string> k;
    for (const auto& f : findings) k.push_back(f.kind);
    return k;
  }
};

// Builds events in order. Observed values default to "not recorded" so a
// test states exactly what node reported where it matters.
class Script {
 public:
  Script() : model_(0, &resource_keys_, &span_keys_, &sink_) {}
  AsyncModel& model() { return model_; }
  CollectingSink& sink() { return sink_; }

  Script& Init(int64_t id, const char* type, int64_t trigger) {
    Event e = Make(EventKind::kInit);
    e.async_id = AsyncId(id);
    e.type = type;
    e.trigger_id = AsyncId(trigger);
    return Apply(e);
  }
  Script& Before(int64_t id) { return Hook(EventKind::kBefore, id); }
  Script& After(int64_t id) { return Hook(EventKind::kAfter, id); }
  Script& Destroy(int64_t id) { return Hook(EventKind::kDestroy, id); }
  Script& Resolve(int64_t id) { return Hook(EventKind::kPromiseResolve, id); }
  Script& Als(EventKind kind, StorageId storage, StoreId store = 0) {
    Event e = Make(kind);
    e.storage = storage;
    e.store = store;
    return Apply(e);
  }
  Script& Create(StorageId s) { return Als(EventKind::kAlsCreate, s); }
  Script& Run(StorageId s, StoreId store) { return Als(EventKind::kAlsRunBegin, s, store); }
  Script& RunEnd(StorageId s, StoreId store) { return Als(EventKind::kAlsRunEnd, s, store); }
  Script& EnterWith(StorageId s, StoreId store) { return Als(EventKind::kAlsEnterWith, s, store); }
  Script& Exit(StorageId s) { return Als(EventKind::kAlsExitBegin, s); }
  Script& ExitEnd(StorageId s) { return Als(EventKind::kAlsExitEnd, s); }
  Script& Disable(StorageId s) { return Als(EventKind::kAlsDisable, s); }
  // getStore() that node says returned `observed`.
  Script& GetStore(StorageId s, StoreId observed) { return Als(EventKind::kAlsGetStore, s, observed); }
  // The next event carries node's own executionAsyncId/triggerAsyncId.
  Script& Observed(int64_t eid, int64_t tid) {
    observed_ = true;
    eid_ = eid;
    tid_ = tid;
    return *this;
  }

 private:
  Script& Hook(EventKind kind, int64_t id) {
    Event e = Make(kind);
    e.async_id = AsyncId(id);
    return Apply(e);
  }
  Event Make(EventKind kind) {
    Event e;
    e.kind = kind;
    e.seq = seq_++;
    e.observed = observed_;
    e.observed_eid = AsyncId(eid_);
    e.observed_tid = AsyncId(tid_);
    observed_ = false;
    return e;
  }
  Script& Apply(const Event& e) {
    model_.Apply(e);
    return *this;
  }
  uint64_t resource_keys_ = 0, span_keys_ = 0, seq_ = 0;
  bool observed_ = false;
  int64_t eid_ = 0, tid_ = 0;
  CollectingSink sink_;
  AsyncModel model_;
};

TEST(Model, PromiseThenMatchesNode20) {
  // Recorded from node 20: Promise.resolve(1).then(cb) with all five hooks.
  Script s;
  s.Observed(1, 0).Init(2, "PROMISE", 1);
  s.Observed(1, 0).Resolve(2);
  s.Observed(1, 0).Init(3, "PROMISE", 2);
  s.Observed(3, 2).Before(3);
  EXPECT_EQ(s.model().ExecutionAsyncId(), AsyncId(3));
  EXPECT_EQ(s.model().TriggerAsyncId(), AsyncId(2));
  s.Observed(3, 2).Resolve(3);
  s.Observed(3, 2).After(3);
  EXPECT_EQ(s.model().stack_depth(), 0u);
  EXPECT_TRUE(s.sink().findings.empty());
  ASSERT_EQ(s.sink().finished.size(), 1u);
  EXPECT_EQ(s.sink().finished[0].depth, 0u);
}

TEST(Model, NestedTimeoutsBuildTheTriggerAndExecutionChains) {
  // setTimeout x3, each created inside the previous one's callback.
  Script s;
  s.Init(2, "Timeout", 1).Before(2).Init(3, "Timeout", 2).After(2);
  s.Before(3).Init(4, "Timeout", 3).After(3);
  const Resource* t4 = s.model().Find(AsyncId(4));
  ASSERT_NE(t4, nullptr);
  EXPECT_EQ(t4->trigger, AsyncId(3));
  EXPECT_EQ(t4->creator, AsyncId(3));
  EXPECT_EQ(t4->trigger_key, s.model().Find(AsyncId(3))->key);
}

TEST(Model, StorePropagatesFromTheCreatingContextOnly) {
  Script s;
  s.Create(1);
  s.Run(1, 7).Init(2, "Timeout", 1).RunEnd(1, 7);  // created inside run(): carries store 7
  s.Init(3, "Timeout", 1);                          // created after run(): undefined
  s.Before(2).GetStore(1, 7).Init(4, "TickObject", 2).After(2);
  s.Before(3).GetStore(1, 0).After(3);
  s.Before(4).GetStore(1, 7).After(4);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
  EXPECT_EQ(s.model().GetStore(1), kUndefinedStore);  // run() restored the top level
}

TEST(Model, RunWithTheCurrentStoreIsANoOp) {
  // run(store) with the store already current returns early in node, so
  // nothing is enabled or restored (a disabled storage stays disabled).
  Script s;
  s.Create(1).Run(1, 0).Init(2, "Timeout", 1).RunEnd(1, 0);
  s.Before(2).GetStore(1, 0).After(2);
  EXPECT_TRUE(s.sink().findings.empty());
  EXPECT_TRUE(s.model().Find(AsyncId(2))->stores.empty());  // the storage was never enabled
}

TEST(Model, EnterWithSticksForTheRestOfTheCallbackAndItsChildren) {
  Script s;
  s.Create(1).Init(2, "Timeout", 1).Before(2).EnterWith(1, 5).Init(3, "Immediate", 2).After(2);
  s.Before(3).GetStore(1, 5).After(3);
  s.GetStore(1, 0);  // the top level never saw it
  EXPECT_TRUE(s.sink().findings.empty());
}

TEST(Model, RunNestedInExitRestoresTheOuterStore) {
  // Observed in node 20: after a run() inside exit() returns, getStore()
  // gives the outer store again, because run() re-enabled the storage.
  Script s;
  s.Create(1).Run(1, 3);
  s.Exit(1).GetStore(1, 0).Init(2, "Timeout", 1);  // created while disabled: no store
  s.Run(1, 4).GetStore(1, 4).RunEnd(1, 4);
  s.GetStore(1, 3).ExitEnd(1);
  s.GetStore(1, 3).RunEnd(1, 3);
  s.Before(2).GetStore(1, 0).After(2);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

TEST(Model, DisableKeepsOldStoresForWhenTheStorageIsEnabledAgain) {
  Script s;
  s.Create(1).Run(1, 2).Init(2, "Timeout", 1).RunEnd(1, 2);
  s.Disable(1).Before(2).GetStore(1, 0).After(2);
  s.Init(3, "Timeout", 1).Run(1, 9).RunEnd(1, 9);  // run() enables the storage again
  s.Before(3).GetStore(1, 0).After(3);              // created while disabled
  s.Init(5, "Timeout", 1);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
  EXPECT_EQ(s.model().Find(AsyncId(2))->StoreFor(1), 2);  // still there for later
}

TEST(Model, WrongStoreIsAMismatchNamingBoth) {
  Script s;
  s.Create(1).Run(1, 2).Init(2, "Timeout", 1).RunEnd(1, 2);
  s.Before(2).GetStore(1, 0).After(2);
  ASSERT_EQ(s.sink().Kinds(), std::vector<std::string>{"store-mismatch"});
  EXPECT_EQ(s.sink().findings[0].expected, "store 2");
  EXPECT_EQ(s.sink().findings[0].observed, "undefined");
  EXPECT_EQ(s.sink().findings[0].seq, 5u);
}

TEST(Model, AfterThatDoesNotMatchTheTopIsStackCorruption) {
  Script s;
  s.Init(2, "Timeout", 1).Init(3, "Timeout", 1).Before(2).Before(3).After(2);
  ASSERT_EQ(s.sink().Kinds(), std::vector<std::string>{"stack-corrupted"});
  EXPECT_EQ(s.sink().findings[0].message, "async hook stack has become corrupted (actual: 2, expected: 3)");
  EXPECT_EQ(s.model().stack_depth(), 0u);  // recovered by unwinding to 2
  s.After(9);
  EXPECT_EQ(s.sink().Kinds().back(), "after-without-before");
}

TEST(Model, DoubleDestroyAndLateRunOfADestroyedResourceAreFindingsNotCrashes) {
  // AsyncResource: emitDestroy() twice delivers destroy twice in node 20,
  // and runInAsyncScope() still works after it.
  Script s;
  s.Init(2, "ASYNCRES", 1).Destroy(2).Destroy(2).Before(2).After(2);
  EXPECT_EQ(s.sink().Kinds(), (std::vector<std::string>{"destroy-twice", "callback-after-destroy"}));
  EXPECT_EQ(s.sink().findings[0].severity, Severity::kWarning);
}

TEST(Model, InitTwiceAndUnknownIdsAreReported) {
  Script s;
  s.Init(5, "Timeout", 1).Init(5, "Timeout", 1).Before(40).After(40);
  EXPECT_EQ(s.sink().Kinds(), (std::vector<std::string>{"init-twice", "unknown-resource"}));
  EXPECT_EQ(s.sink().findings[1].severity, Severity::kError);  // 40 > first recorded id
}

// The id index keeps recent ids in a window indexed by their low bits and
// older ones in a hash table. Ids that land on the same window position,
// arrive out of order, are negative or far apart must all be found, absent
// ids must not be, and an id reused after destroy must name the new
// resource.
TEST(Model, EveryIdIsFoundWhereverTheIndexKeepsIt) {
  Script s;
  std::vector<int64_t> ids;
  for (int64_t i = 2; i < 300000; i += 2) ids.push_back(i);  // dense and increasing: fills the window
  for (int64_t i = 1; i < 40; ++i) ids.push_back(i * 131072 + 1);  // same low bits as each other
  for (int64_t i = 0; i < 200; ++i) ids.push_back(299999 - i * 1024);  // older than the window, descending
  ids.push_back(-7);
  ids.push_back(int64_t(1) << 40);
  ids.push_back(5);  // below everything, after the window moved on
  for (int64_t id : ids) s.Init(id, "X", 1);
  for (int64_t id : ids) {
    const Resource* r = s.model().Find(AsyncId(id));
    ASSERT_NE(r, nullptr) << id;
    EXPECT_EQ(r->id, AsyncId(id));
  }
  for (int64_t absent : {int64_t(3), int64_t(299997), int64_t(131073 + 2), int64_t(1) << 41, int64_t(-8)})
    EXPECT_EQ(s.model().Find(AsyncId(absent)), nullptr) << absent;
  // Destroyed ids stay findable (the graveyard); reusing one frees the old
  // entry and indexes the new resource.
  std::vector<int64_t> reused = {2, 4, 262146, 131073, 299999 - 1024, -7, int64_t(1) << 40, 5};
  for (int64_t id : reused) s.Destroy(id);
  for (int64_t id : reused) {
    uint64_t old_key = s.model().Find(AsyncId(id))->key;
    s.Init(id, "Y", 1);
    const Resource* r = s.model().Find(AsyncId(id));
    ASSERT_NE(r, nullptr) << id;
    EXPECT_GT(r->key, old_key) << id;
    EXPECT_FALSE(r->destroyed) << id;
  }
  for (const auto& kind : s.sink().Kinds()) EXPECT_NE(kind, "init-twice");
  EXPECT_EQ(s.model().live_resources(), ids.size());
}

TEST(Model, ObservedContextIsCheckedAtEveryHook) {
  Script s;
  s.Observed(1, 0).Init(2, "Timeout", 1);
  s.Observed(2, 1).Before(2);
  s.Observed(7, 1).Init(3, "Timeout", 2);  // node says 7, the model knows 2
  s.Observed(2, 1).After(2);
  s.Observed(0, 0).Destroy(2);
  ASSERT_EQ(s.sink().Kinds(), std::vector<std::string>{"eid-mismatch"});
  EXPECT_EQ(s.sink().findings[0].expected, "2");
  EXPECT_EQ(s.sink().findings[0].observed, "7");
}

TEST(Model, TopLevelEidBecomesZeroOnceTheBootstrapScopeCloses) {
  Script s;
  s.Observed(1, 0).Init(2, "TCPSERVERWRAP", 1);
  s.Observed(0, 0).Init(3, "TCPWRAP", 2);  // accepted natively, after main returned
  EXPECT_EQ(s.model().ExecutionAsyncId(), AsyncId(0));
  s.Observed(1, 0).Init(4, "Timeout", 1);  // the top level does not come back
  EXPECT_EQ(s.sink().Kinds(), std::vector<std::string>{"eid-mismatch"});
}

TEST(Model, UncaughtExceptionUnwindsInnermostFirst) {
  // With an uncaughtException handler, node emits after for every entry
  // on the stack, innermost first.
  Script s;
  s.Init(2, "Timeout", 1).Init(3, "AsyncResource", 1).Before(2).Before(3).After(3).After(2);
  EXPECT_TRUE(s.sink().findings.empty());
  ASSERT_EQ(s.sink().finished.size(), 2u);
  EXPECT_EQ(s.sink().finished[0].depth, 1u);
  EXPECT_EQ(s.sink().finished[0].parent_key, s.sink().finished[1].key);
}

TEST(Model, UnhandledRejectionHandlerRunsInThePromisesContext) {
  // node pushes the rejected promise's context around the handler without
  // before/after; the model recognises it from the observed context.
  Script s;
  s.Create(1).Run(1, 4);
  s.Observed(1, 0).Init(6, "PROMISE", 1);
  s.Observed(1, 0).Resolve(6);
  s.RunEnd(1, 4);
  s.Observed(6, 1).GetStore(1, 4);
  s.Observed(6, 1).Init(7, "Timeout", 6);
  s.Observed(7, 6).Before(7);
  s.Observed(7, 6).GetStore(1, 4);
  s.Observed(7, 6).After(7);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

TEST(Model, FinishReportsOpenCallbacksAndHandsOverTheLiveResources) {
  Script s;
  s.Init(2, "Timeout", 1).Init(3, "Timeout", 1).Destroy(3).Before(2);  // process.exit() inside 2
  s.model().Finish();
  EXPECT_EQ(s.sink().Kinds(), std::vector<std::string>{"unfinished-callback"});
  ASSERT_EQ(s.sink().alive.size(), 2u);  // the top level and timeout 2
  EXPECT_EQ(s.sink().alive[0]->type, "(top-level)");
  EXPECT_EQ(s.sink().alive[1]->id, AsyncId(2));
}

// AsyncContextFrame (node 24+): each scenario is what node 24.22.3 and
// 26.12.1 returned (tests/e2e_programs/acf_*.js show them recorded).
TEST(ContextFrameModel, ResourcesCaptureTheFrameAtCreationAndRestoreAfter) {
  Script s;
  s.model().SetRuntime(/*async_context_frame=*/true, 24);
  s.Create(1).Run(1, 5).Init(2, "Timeout", 1).RunEnd(1, 5);
  s.GetStore(1, 0).Before(2).GetStore(1, 5).EnterWith(1, 6).GetStore(1, 6).After(2);
  s.GetStore(1, 0);  // the frame before the callback is back
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

TEST(ContextFrameModel, EnterWithInsideACallbackDoesNotReachTheResourcesNextCallback) {
  // async_hooks writes the interval's own slot, so its next run sees 6;
  // with frames the interval keeps what it captured.
  Script s;
  s.model().SetRuntime(true, 24);
  s.Create(1).Run(1, 5).Init(2, "Timeout", 1).RunEnd(1, 5);
  s.Before(2).EnterWith(1, 6).After(2).Before(2).GetStore(1, 5).After(2);
  EXPECT_TRUE(s.sink().findings.empty());
  Script h;
  h.Create(1).Run(1, 5).Init(2, "Timeout", 1).RunEnd(1, 5);
  h.Before(2).EnterWith(1, 6).After(2).Before(2).GetStore(1, 6).After(2);
  EXPECT_TRUE(h.sink().findings.empty());
}

TEST(ContextFrameModel, RunRestoresWithANewFrameSoOtherStoragesSurvive) {
  // run(a) { b.enterWith(7) } leaves b = 7 after run() with frames.
  Script s;
  s.model().SetRuntime(true, 24);
  s.Create(1).Create(2).Run(1, 5).EnterWith(2, 7).RunEnd(1, 5).GetStore(1, 0).GetStore(2, 7);
  EXPECT_TRUE(s.sink().findings.empty());
}

TEST(ContextFrameModel, DisableDeletesFromTheSharedFrameObject) {
  Script s;
  s.model().SetRuntime(true, 24);
  s.Create(1).EnterWith(1, 5).Init(2, "Timeout", 1).Disable(1).GetStore(1, 0);
  s.Before(2).GetStore(1, 0).After(2);                // the timer holds the same frame object
  s.Run(1, 6).GetStore(1, 6).RunEnd(1, 6).GetStore(1, 0);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

TEST(ContextFrameModel, ExitIsRunWithUndefinedAndARunInsideItSetsItsOwnStore) {
  Script s;
  s.model().SetRuntime(true, 24);
  s.Create(1).Run(1, 5).Exit(1).GetStore(1, 0).Run(1, 6).GetStore(1, 6).RunEnd(1, 6).GetStore(1, 0);
  s.ExitEnd(1).GetStore(1, 5).RunEnd(1, 5);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

TEST(ContextFrameModel, AThenableJobRunsWithTheFrameOfTheResolve) {
  // Promise 2 is created under store 5 and resolved with a thenable under
  // store 6: node runs the thenable's then() (a callback of 2) with 6.
  Script s;
  s.model().SetRuntime(true, 24);
  s.Create(1).Run(1, 5).Init(2, "PROMISE", 1).RunEnd(1, 5);
  s.Run(1, 6).Resolve(2).RunEnd(1, 6).Before(2).GetStore(1, 6).After(2);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

TEST(ContextFrameModel, DefaultValueWhenNoStoreIsSet) {
  Script s;
  s.model().SetRuntime(true, 24);
  s.Als(EventKind::kAlsCreate, 1, 9).GetStore(1, 9).Run(1, 5).GetStore(1, 5).RunEnd(1, 5).GetStore(1, 9);
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

// A damaged trace: an end that does not close the innermost run()/exit()
// is reported and unwinds to its begin; an end with no begin is ignored.
// Both store policies share this.
TEST(StorePolicies, UnbalancedRunEndsAreReportedAndUnwound) {
  for (bool acf : {false, true}) {
    Script s;
    s.model().SetRuntime(acf, 24);
    // The run() end skips the open exit() (reported) and restores run()'s
    // store; the second run() end and the exit() end find no begin.
    s.Create(1).Run(1, 5).Exit(1).RunEnd(1, 5).GetStore(1, 0).RunEnd(1, 5).ExitEnd(1);
    EXPECT_EQ(s.sink().Kinds(), (std::vector<std::string>{"als-unbalanced", "als-unbalanced", "als-unbalanced"}))
        << "acf " << acf;
  }
}

TEST(AsyncHooksModel, Node24EnablesAStorageAtConstruction) {
  // 24+: the storage propagates from construction, so a timer created
  // before any run() carries an (undefined) slot; 20 copies nothing.
  Script s;
  s.model().SetRuntime(false, 24);
  s.Als(EventKind::kAlsCreate, 1, 9).Init(2, "Timeout", 1).GetStore(1, 9);
  s.Before(2).GetStore(1, 0).After(2);  // a slot holding undefined, not the default
  EXPECT_TRUE(s.sink().findings.empty()) << s.sink().findings[0].message;
}

}  // namespace
}  // namespace ahtrace
