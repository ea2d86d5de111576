// Replay and check, on any input format (OpenTrace picks the reader by the
// first bytes): replay through the model with sinks that look at every
// resource, span and finding, then `check` with every rule on and its four
// report formats. No SQLite output: its sink builds a database file per
// input, which would slow every execution; the tests cover it.
#include "fuzz_input.h"

#include "check/check.h"
#include "model/replay.h"

namespace {
using namespace ahtrace;

// Looks at everything the model hands to sinks, so that a dangling
// reference or view is reported where it is handed out.
class TouchingSink : public ModelSink, public EventSink {
 public:
  void OnStream(uint32_t, const StreamInfo& info) override { fuzz::Touch(info.path); }
  void OnEvent(const Event& e) override { fuzz::Touch(e.type); }
  void OnInit(const Event&, const Resource& r) override { Look(r); }
  void OnBefore(const Event&, const Resource& r, const CallbackSpan&) override { Look(r); }
  void OnAfter(const Event&, const Resource& r, const CallbackSpan&) override { Look(r); }
  void OnDestroy(const Event&, const Resource& r) override { Look(r); }
  void OnPromiseResolve(const Event&, const Resource& r, const Resource& current) override {
    Look(r);
    Look(current);
  }
  void OnStoreSet(const Event*, const Resource& r, StorageId, StoreId, StoreCause c) override {
    Look(r);
    fuzz::Touch(StoreCauseName(c));
  }
  void OnStorageEvent(const Event&, const StorageState& s) override { fuzz::Touch(s.site); }
  void OnGetStore(const Event&, StoreId, const Resource& current) override { Look(current); }
  void OnContextEvent(const Event&, const Resource& current) override { Look(current); }
  void OnFinding(const Finding& f) override {
    fuzz::Touch(f.kind);
    fuzz::Touch(f.message);
    fuzz::Touch(f.expected);
    fuzz::Touch(f.observed);
  }
  void OnStreamEnd(uint32_t, const std::vector<const Resource*>& alive,
                   const std::vector<CallbackSpan>& unfinished) override {
    for (const Resource* r : alive) Look(*r);
  }

 private:
  static void Look(const Resource& r) {
    fuzz::Touch(r.type);
    fuzz::Touch(r.site);
    fuzz::Touch(std::string_view(reinterpret_cast<const char*>(r.stores.data()),
                                 r.stores.size() * sizeof(StoreSlot)));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = fuzz::WriteInput("trace.input", data, size);
  Status status;
  if (auto reader = OpenTrace(path, &status)) {
    TouchingSink sink;
    ReplaySummary summary;
    fuzz::ExpectReadOrRefused(Replay(*reader, &sink, &sink, &summary), "Replay");
  }
  if (auto reader = OpenTrace(path, &status)) {
    check::CheckOptions options;
    options.leaks = true;
    options.expect_store = {"app.js"};
    check::CheckReport report;
    Status checked = check::RunCheck(*reader, options, nullptr, &report);
    fuzz::ExpectReadOrRefused(checked, "RunCheck");
    if (checked.ok()) {
      using nlohmann::json;
      fuzz::Touch(check::ReportText(report, true));
      fuzz::Touch(check::ReportJson(report).dump(2, ' ', false, json::error_handler_t::replace));
      fuzz::Touch(check::ReportJunit(report));
      fuzz::Touch(check::ReportSarif(report).dump(2, ' ', false, json::error_handler_t::replace));
    }
  }
  return 0;
}
