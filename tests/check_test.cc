// `ahtrace check` end to end: real node programs recorded with the real
// recorder, checked with the real binary, verdicts and locations asserted.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/test_util.h"

namespace ahtrace {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing::Quote;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

// Records `program` (run from `dir`) into dir/<name>. A non-empty
// `node_path` is the program's NODE_PATH (the lib corpus's npm libraries).
std::string Record(const TempDir& dir, const std::string& program, const std::string& name,
                   const std::string& node_path = "") {
  std::string trace = dir.File(name);
  std::string env = node_path.empty() ? "" : "NODE_PATH=" + Quote(node_path) + " ";
  auto r = testing::RunCommand("cd " + Quote(dir.path()) + " && " + env + Bin() + " record -o " + Quote(trace) +
                               " -- node " + Quote(program));
  EXPECT_NE(r.exit_code, 125) << r.err;
  return trace;
}

// A program's truth on one ALS implementation: the verdict and the lost
// getStore() lines. The header's `// expect:`/`// loss:` lines are node 20's
// (async_hooks); `// expect@acf:`/`// loss@acf:` lines, where present,
// replace them on AsyncContextFrame runtimes (tests/check_corpus/README.md).
struct Truth {
  bool expect_loss = false;
  std::set<std::string> loss_lines;  // basename:line
};

struct CorpusProgram {
  std::string name, path;
  bool needs_npm = false;  // tests/lib_corpus: runs with NODE_PATH=$AHTRACE_NPM_CORPUS
  Truth hooks;  // async_hooks ALS: node 20, 22, 24+ with --no-async-context-frame
  Truth acf;    // AsyncContextFrame: node 24+, 22 with --experimental-async-context-frame
  const Truth& For(bool async_context_frame) const { return async_context_frame ? acf : hooks; }
};
void PrintTo(const CorpusProgram& p, std::ostream* os) { *os << p.path; }

// The programs of one corpus directory, named `<prefix><file name>`.
std::vector<CorpusProgram> CorpusIn(const std::string& relative_dir, const std::string& prefix, bool needs_npm) {
  std::vector<CorpusProgram> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(testing::SourcePath(relative_dir), ec)) {
    auto ext = e.path().extension();
    if (ext != ".js" && ext != ".mjs") continue;
    std::string text = testing::ReadFile(e.path().string());
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("// expect: (loss|clean)"))) continue;
    CorpusProgram p;
    p.path = e.path().string();
    p.needs_npm = needs_npm;
    p.name = prefix + e.path().filename().string();
    for (char& c : p.name)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    p.hooks.expect_loss = m[1] == "loss";
    std::regex loss("// loss: (\\S+)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), loss); it != std::sregex_iterator(); ++it)
      p.hooks.loss_lines.insert((*it)[1]);
    p.acf = p.hooks;
    if (std::regex_search(text, m, std::regex("// expect@acf: (loss|clean)"))) {
      p.acf.expect_loss = m[1] == "loss";
      p.acf.loss_lines.clear();
      std::regex acf_loss("// loss@acf: (\\S+)");
      for (auto it = std::sregex_iterator(text.begin(), text.end(), acf_loss); it != std::sregex_iterator(); ++it)
        p.acf.loss_lines.insert((*it)[1]);
    }
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

// tests/check_corpus (no dependencies) and tests/lib_corpus (programs on
// popular npm libraries; tests/lib_corpus/README.md), both in the `Corpus`
// instantiation, so the `node<label>/e2e` ctest entries' Corpus/CheckCorpus.*
// filter runs both on every node line. The lib corpus's tests always exist
// (gtest discovers them at build time) and skip when AHTRACE_NPM_CORPUS is
// unset.
std::vector<CorpusProgram> Corpus() {
  std::vector<CorpusProgram> out = CorpusIn("tests/check_corpus", "", false);
  for (auto& p : CorpusIn("tests/lib_corpus", "lib_", true)) out.push_back(p);
  return out;
}

// Losses the default check does not catch yet (README "What check finds"):
// data, not code, queued and stamped later by a method shared by every
// request (buffered-logger), and a timer started lazily inside one request,
// which should have run with no store (lazy-singleton: closures created
// under a store claim it; code that should have none claims nothing).
// Listed so the test still fails if one of them starts to be reported at a
// wrong line.
const std::set<std::string> kKnownMisses = {
    "buffered-logger.js",
    "lazy-singleton.js",
};

// The same for tests/lib_corpus, where the losses come from real libraries.
// Each is a read that returns ANOTHER request's store (the kind `wrong` in
// the headers) of a request whose data reaches the read as values, not as
// a closure or an object literal the instrumentation can follow:
const std::set<std::string> kLibKnownMisses = {
    // dataloader's batch function and lodash's debounce/throttle are handed
    // the callers' keys and arguments as strings: which request a primitive
    // came from is not recorded, only objects are.
    "dataloader.js", "lodash-debounce.js",
    // async.cargo's worker is handed an array of every caller's events and
    // reads per event in its own map() closure: caught for the push
    // callbacks, not for the reads inside the batch (a loop over other
    // requests' objects under one store looks the same in a correct
    // broadcast).
    "async-cargo.js",
};

// Correct lib corpus programs that the default check reports, with the
// lines it reports (the test fails if it reports anything else, and can
// drop the entry once it passes). None today.
const std::map<std::string, std::set<std::string>> kLibKnownFalseAlarms = {};

class CheckCorpus : public ::testing::TestWithParam<CorpusProgram> {};

TEST_P(CheckCorpus, VerdictAndLocationsMatchTheProgramsHeader) {
  const CorpusProgram& p = GetParam();
  const char* npm = std::getenv("AHTRACE_NPM_CORPUS");
  if (p.needs_npm && (npm == nullptr || *npm == '\0'))
    GTEST_SKIP() << "tests/lib_corpus needs its npm libraries: set AHTRACE_NPM_CORPUS to the node_modules path "
                    "that scripts/install-npm-corpus.sh prints (scripts/test.sh does)";
  TempDir dir;
  std::string trace = Record(dir, p.path, "t.trace", p.needs_npm ? npm : "");
  // The truth depends on the ALS implementation the recorded node ran.
  auto recorded = testing::ReadAll(trace);
  ASSERT_TRUE(recorded.status.ok() && !recorded.reader->streams().empty()) << recorded.status.message();
  const Truth& truth = p.For(recorded.reader->streams()[0].async_context_frame);
  auto r = testing::RunCommand(Bin() + " check --no-hook-rules --no-mismatches --format json " + Quote(trace));
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  json report = json::parse(r.out);
  std::set<std::string> reported;
  for (const auto& f : report["findings"]) {
    if (f["location"].is_null()) continue;
    reported.insert(fs::path(f["location"]["file"].get<std::string>()).filename().string() + ":" +
                    std::to_string(f["location"]["line"].get<int>()));
    EXPECT_FALSE(f["hint"].get<std::string>().empty());
    EXPECT_EQ(f["fingerprint"].get<std::string>().size(), 16u);
  }
  std::string base = fs::path(p.path).filename().string();
  auto false_alarm = p.needs_npm ? kLibKnownFalseAlarms.find(base) : kLibKnownFalseAlarms.end();
  // Never report a call the program does not declare lost (but a known false alarm).
  for (const auto& line : reported)
    EXPECT_TRUE(truth.loss_lines.count(line) ||
                (false_alarm != kLibKnownFalseAlarms.end() && false_alarm->second.count(line)))
        << "unexpected finding at " << line;
  const auto& misses = p.needs_npm ? kLibKnownMisses : kKnownMisses;
  if (!truth.expect_loss) {
    if (false_alarm == kLibKnownFalseAlarms.end()) {
      EXPECT_EQ(r.exit_code, 0) << r.out;
    }
  } else if (!misses.count(base)) {
    EXPECT_EQ(r.exit_code, 1);
    for (const auto& line : truth.loss_lines) EXPECT_TRUE(reported.count(line)) << "missed the loss at " << line;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, CheckCorpus, ::testing::ValuesIn(Corpus()),
                         [](const auto& info) { return info.param.name; });

TEST(Check, ReportsTheJobQueueLossWithWhereItBrokeAndTheFix) {
  TempDir dir;
  std::string trace = Record(dir, testing::SourcePath("samples/job-queue-lost/app.js"), "t.trace");
  auto r = testing::RunCommand(Bin() + " check " + Quote(trace));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("error[context-lost] "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("job-queue-lost/app.js:8:17: getStore() returned undefined (called from "), std::string::npos);
  EXPECT_NE(r.out.find("app.js:30:"), std::string::npos) << "names the job's call site";
  EXPECT_NE(r.out.find("broke: no resource this code descends from ever carried the store: it ran from Timeout"),
            std::string::npos);
  EXPECT_NE(r.out.find("AsyncResource.bind(cb)"), std::string::npos);
  EXPECT_NE(r.out.find("seen 3 times"), std::string::npos);
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colour when not on a terminal";

  auto fixed = Record(dir, testing::SourcePath("samples/job-queue-fixed/app.js"), "fixed.trace");
  EXPECT_EQ(testing::RunCommand(Bin() + " check " + Quote(fixed)).exit_code, 0);
}

// An ES module is instrumented through node's module hooks: the queued
// closures of esm-flush-queue.mjs are judged like CommonJS ones. On node 20
// that takes a module-hooks thread, whose WORKER and MESSAGEPORTs are the
// recorder's and must not read as the program's leaks.
TEST(Check, EsModulesAreJudgedAndTheHooksThreadIsNoLeak) {
  TempDir dir;
  std::string broken = Record(dir, testing::SourcePath("tests/check_corpus/esm-flush-queue.mjs"), "t.trace");
  auto r = testing::RunCommand(Bin() + " check " + Quote(broken));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("error[wrong-store] "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("esm-flush-queue.mjs:19:"), std::string::npos) << r.out;

  std::string fixed = Record(dir, testing::SourcePath("tests/check_corpus/esm-flush-queue-fixed.mjs"), "fixed.trace");
  auto leaks = testing::RunCommand(Bin() + " check --leaks " + Quote(fixed));
  EXPECT_EQ(leaks.exit_code, 0) << leaks.out;
  EXPECT_NE(leaks.out.find(": 0 finding(s)"), std::string::npos) << leaks.out;
}

// Issue 10: check's scanner counted the brackets of regular expressions as
// code, so in regex-in-request.js (a lone '(' in a regex inside a boot
// run()'s callback, a lone ')' in one further down) it put the start-up
// reporter between them inside run()'s argument list, and reported its
// expected undefined as a lost context. The recorder's parser (functions records)
// knows where the arguments end. The same trace without its functions
// records (an older trace) still gets the scanner's answer: if the
// scanner learns regular expressions, this half of the test has to find a
// text that still defeats it.
TEST(Check, TheParsersExtentsOverruleTheScannerWhereTheTextDefeatsIt) {
  TempDir dir;
  std::string trace = Record(dir, testing::SourcePath("tests/check_corpus/regex-in-request.js"), "t.trace");
  auto parsed = testing::RunCommand(Bin() + " check --no-hook-rules --no-mismatches " + Quote(trace));
  EXPECT_EQ(parsed.exit_code, 0) << parsed.out << parsed.err;

  ASSERT_EQ(testing::RunCommand(Bin() + " convert " + Quote(trace) + " -o " + Quote(dir.File("t.ndjson"))).exit_code, 0);
  std::string text = testing::ReadFile(dir.File("t.ndjson"));
  ASSERT_NE(text.find("\"kind\":\"functions\""), std::string::npos) << "the recorder wrote the program's extents";
  std::string old_trace, line;
  std::istringstream in(text);
  while (std::getline(in, line))
    if (line.find("\"kind\":\"functions\"") == std::string::npos) old_trace += line + "\n";
  testing::WriteFile(dir.File("old.ndjson"), old_trace);
  auto scanned = testing::RunCommand(Bin() + " check --no-hook-rules --no-mismatches " + Quote(dir.File("old.ndjson")));
  EXPECT_EQ(scanned.exit_code, 1) << scanned.out << scanned.err;
  EXPECT_NE(scanned.out.find("regex-in-request.js:27:"), std::string::npos) << scanned.out;
  EXPECT_NE(scanned.out.find("is written inside the callback passed to run() at line 19"), std::string::npos)
      << scanned.out;
}

// With several listeners on one event, the one running is the one whose
// registration call's arguments hold a function of the read's frames. The
// same-line rule (a function starting on the registration's line) missed a
// listener written on a later line of the call; the parser's extents do
// not, so the finding is the listener rule with its bind() fix.
TEST(Check, AListenerWrittenOverSeveralLinesIsMatchedToItsRegistration) {
  TempDir dir;
  testing::WriteFile(dir.File("multi.js"), R"(const { EventEmitter } = require('events');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const bus = new EventEmitter();
function subscribe(id) {
  als.run({ req: id }, () => {
    bus.on(
      'tick',
      function onTick() {
        console.log(id, als.getStore());
      },
    );
  });
}
subscribe('A');
subscribe('B');
setTimeout(() => bus.emit('tick'), 2);
)");
  std::string trace = Record(dir, dir.File("multi.js"), "t.trace");
  auto r = testing::RunCommand(Bin() + " check --no-hook-rules --no-mismatches " + Quote(trace));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("error[listener-context] multi.js:10:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the 'tick' listener was registered at multi.js:7:9"), std::string::npos) << r.out;
}

TEST(Check, JunitAndSarifAreWellFormed) {
  TempDir dir;
  std::string trace = Record(dir, testing::SourcePath("samples/emitter-lost/app.js"), "t.trace");
  auto junit = testing::RunCommand(Bin() + " check --format junit " + Quote(trace));
  EXPECT_EQ(junit.exit_code, 1);
  EXPECT_EQ(junit.out.rfind("<?xml", 0), 0u);
  EXPECT_NE(junit.out.find("<testsuite name=\"context-lost\""), std::string::npos);
  EXPECT_NE(junit.out.find("<failure message="), std::string::npos);
  auto r = testing::RunCommand(Bin() + " check --format sarif -o " + Quote(dir.File("out.sarif")) + " " + Quote(trace));
  EXPECT_EQ(r.exit_code, 1);
  json sarif = json::parse(testing::ReadFile(dir.File("out.sarif")));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["ruleId"], "listener-context");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 9);
  EXPECT_EQ(results[0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 18);
  EXPECT_EQ(results[0]["partialFingerprints"]["ahtrace/v1"].get<std::string>().size(), 16u);
}

// What broke in a real regression: the same program, context kept on
// main and lost after a change. Only the new finding fails the build.
TEST(Check, BaselineFailsOnlyOnWhatTheChangeMadeWorse) {
  TempDir dir;
  std::string app = dir.File("app.js");
  fs::copy_file(testing::SourcePath("samples/job-queue-fixed/app.js"), app);
  std::string main_trace = Record(dir, app, "main.trace");
  fs::copy_file(testing::SourcePath("samples/job-queue-lost/app.js"), app, fs::copy_options::overwrite_existing);
  std::string pr_trace = Record(dir, app, "pr.trace");
  auto r = testing::RunCommand(Bin() + " check --format json --baseline " + Quote(main_trace) + " " + Quote(pr_trace));
  EXPECT_EQ(r.exit_code, 1);
  json report = json::parse(r.out);
  ASSERT_EQ(report["findings"].size(), 1u);
  EXPECT_EQ(report["findings"][0]["rule"], "context-lost");
  EXPECT_EQ(report["findings"][0]["location"]["file"], "app.js") << "relative to where it was recorded";
  // Checked against itself, nothing is new.
  auto same = testing::RunCommand(Bin() + " check --baseline " + Quote(pr_trace) + " " + Quote(pr_trace));
  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_NE(same.out.find("1 also in the baseline"), std::string::npos);
  // A second recording of the same program has the same fingerprints.
  std::string again = Record(dir, app, "again.trace");
  testing::WriteFile(dir.File("known.json"), r.out);
  auto allowed = testing::RunCommand(Bin() + " check --allow " + Quote(dir.File("known.json")) + " " + Quote(again));
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out;
  EXPECT_NE(allowed.out.find("1 allowed"), std::string::npos);
}

// A trace is an artifact that travels: check takes its source evidence
// (line text for fingerprints, function extents) from the trace, so the
// verdict is the same from another directory and after the sources move.
TEST(Check, VerdictIsTheSameWhereverTheTraceIsReadAndAfterTheSourcesMove) {
  TempDir dir;
  fs::create_directories(dir.File("src"));
  std::string app = dir.File("src/app.js");
  fs::copy_file(testing::SourcePath("samples/job-queue-lost/app.js"), app);
  std::string trace = Record(dir, app, "t.trace");
  auto here = testing::RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " check --format json t.trace");
  ASSERT_EQ(here.exit_code, 1) << here.err;
  EXPECT_NE(here.out.find("\"fingerprint\""), std::string::npos);

  fs::remove_all(dir.File("src"));  // the sources are gone (a CI artifact read elsewhere)
  fs::create_directories(dir.File("elsewhere"));
  fs::rename(trace, dir.File("elsewhere/moved.trace"));
  auto there = testing::RunCommand("cd / && " + Bin() + " check --format json " + Quote(dir.File("elsewhere/moved.trace")));
  EXPECT_EQ(there.exit_code, 1) << there.err;
  EXPECT_EQ(there.out, here.out);
}

// --source-root is the user asking for the live checkout: a file recorded
// under the recording's cwd is read at the same relative path there, so an
// edited line changes the fingerprint, a copy at another path changes
// nothing, and a checkout without the file falls back to the trace (and
// says so).
TEST(Check, SourceRootReadsTheLiveCheckoutInsteadOfTheTrace) {
  TempDir dir;
  fs::create_directories(dir.File("rec/src"));
  fs::copy_file(testing::SourcePath("samples/job-queue-lost/app.js"), dir.File("rec/src/app.js"));
  std::string trace = Record(dir, dir.File("rec/src/app.js"), "t.trace");
  auto fingerprints = [&](const std::string& extra, std::string* notes) {
    auto r = testing::RunCommand(Bin() + " check --format json " + Quote(trace) + extra);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    json report = json::parse(r.out);
    std::string out;
    for (const auto& f : report["findings"]) out += f["fingerprint"].get<std::string>() + " ";
    if (notes) *notes = report["notes"].dump();
    return out;
  };
  std::string from_trace = fingerprints("", nullptr);
  ASSERT_FALSE(from_trace.empty());

  // Record() runs the program with `dir` as the cwd: rec/src/app.js is the
  // relative path to look up under the root.
  fs::create_directories(dir.File("checkout/rec/src"));
  fs::copy_file(dir.File("rec/src/app.js"), dir.File("checkout/rec/src/app.js"));
  std::string notes;
  EXPECT_EQ(fingerprints(" --source-root " + Quote(dir.File("checkout")), &notes), from_trace);
  EXPECT_NE(notes.find("1 file(s) read under --source-root"), std::string::npos) << notes;

  std::string text = testing::ReadFile(dir.File("checkout/rec/src/app.js"));
  size_t at = text.find("als.getStore()");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "/* edited */ ");
  testing::WriteFile(dir.File("checkout/rec/src/app.js"), text);
  EXPECT_NE(fingerprints(" --source-root " + Quote(dir.File("checkout")), nullptr), from_trace);

  fs::create_directories(dir.File("empty"));
  EXPECT_EQ(fingerprints(" --source-root " + Quote(dir.File("empty")), &notes), from_trace);
  EXPECT_NE(notes.find("not found there, so taken from the trace"), std::string::npos) << notes;

  auto missing = testing::RunCommand(Bin() + " check " + Quote(trace) + " --source-root " + Quote(dir.File("nope")));
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

// Recorded sites are untrusted text: a site naming a device or a FIFO must
// not make check read it (it would never end), and check's evidence comes
// from the trace only.
TEST(Check, NeverOpensTheFilesThatSitesName) {
  TempDir dir;
  std::string fifo = dir.File("fifo.js");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string trace = dir.File("t.ndjson");
  std::string lines = R"({"format":"ahtrace-ndjson","version":1}
{"kind":"stream","stream":0,"pid":1,"threadId":0,"node":"v20.20.2","cwd":"/"}
{"kind":"alsCreate","stream":0,"storage":1,"site":"/dev/zero:1:1"}
{"kind":"init","stream":0,"asyncId":2,"triggerAsyncId":1,"type":"Timeout","site":"FIFO:3:1"}
{"kind":"before","stream":0,"asyncId":2}
{"kind":"alsGetStore","stream":0,"storage":1,"store":0,"site":"/dev/zero:2:1","enclosing":"FIFO:3:1","callers":"/dev/zero:5:1@1:1"}
{"kind":"after","stream":0,"asyncId":2}
{"kind":"streamEnd","stream":0,"exitCode":0}
)";
  size_t at;
  while ((at = lines.find("FIFO")) != std::string::npos) lines.replace(at, 4, fifo);
  testing::WriteFile(trace, lines);
  auto r = testing::RunCommand("timeout 20 " + Bin() + " check " + Quote(trace) + " && echo clean");
  EXPECT_NE(r.exit_code, 124) << "check hung on a site that names a FIFO";
  EXPECT_LT(r.exit_code, 2) << r.err;
  auto g = testing::RunCommand("timeout 20 " + Bin() + " graph " + Quote(trace) + " -o " + Quote(dir.File("g.dot")));
  EXPECT_EQ(g.exit_code, 0) << g.err;
}

TEST(Check, ExpectStoreRuleCatchesWhatTheTraceCannotShow) {
  // buffered-logger.js stamps queued lines at flush time from a start-up
  // interval: no evidence in the trace, but a rule names the call.
  TempDir dir;
  std::string trace = Record(dir, testing::SourcePath("tests/check_corpus/buffered-logger.js"), "t.trace");
  EXPECT_EQ(testing::RunCommand(Bin() + " check " + Quote(trace)).exit_code, 0);
  testing::WriteFile(dir.File("ahtrace.json"), R"({"expectStore": ["buffered-logger.js:25"]})");
  auto r = testing::RunCommand(Bin() + " check --config " + Quote(dir.File("ahtrace.json")) + " " + Quote(trace));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("a --expect-store rule says this call must see a store"), std::string::npos) << r.out;
}

TEST(Check, LeaksAreReportedOnlyWhenAsked) {
  TempDir dir;
  // An interval never cleared keeps the process up; the timer running
  // process.exit() is not a leak.
  testing::WriteFile(dir.File("leak.js"),
                     "const poll = setInterval(() => {}, 5);\n"
                     "setTimeout(() => process.exit(0), 20);\n");
  std::string trace = Record(dir, dir.File("leak.js"), "t.trace");
  EXPECT_EQ(testing::RunCommand(Bin() + " check --no-context " + Quote(trace)).exit_code, 0);
  auto r = testing::RunCommand(Bin() + " check --no-context --leaks " + Quote(trace));
  EXPECT_EQ(r.exit_code, 1);
  // leak.js is under the recording's working directory: shown relative.
  EXPECT_NE(r.out.find("warning[leak] leak.js:1:14: Timeout still alive"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("leak.js:2:"), std::string::npos) << "the running timer is no leak";
}

TEST(Check, BadInputGetsAClearMessageAndExitCode) {
  TempDir dir;
  testing::WriteFile(dir.File("notes.txt"), "not a trace\n");
  auto r = testing::RunCommand(Bin() + " check " + Quote(dir.File("notes.txt")));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("notes.txt: not an ahtrace trace"), std::string::npos);
  EXPECT_EQ(testing::RunCommand(Bin() + " check --format xml " + Quote(dir.File("notes.txt"))).exit_code, 2);
  EXPECT_EQ(testing::RunCommand(Bin() + " check --config " + Quote(dir.File("missing.json")) + " x").exit_code, 2);
}

// A store read inside a library (OpenTelemetry's context.active() is ten
// frames of node_modules): the finding points at the application's line
// that asked, "called from" is the application's caller, the library
// frames stay in the details, and the fix speaks of the library that owns
// the storage.
TEST(Check, ReadsInsideALibraryAreReportedAtTheApplicationsLine) {
  TempDir dir;
  fs::create_directories(dir.File("node_modules/ctxlib"));
  std::string lib = "'use strict';\n"
                    "const { AsyncLocalStorage } = require('async_hooks');\n"
                    "const storage = new AsyncLocalStorage();\n"
                    "function level0() { return storage.getStore(); }\n";
  for (int i = 1; i < 10; ++i)
    lib += "function level" + std::to_string(i) + "() { return level" + std::to_string(i - 1) + "(); }\n";
  lib += "module.exports = { run: (v, fn) => storage.run(v, fn), current: () => level9() };\n";
  testing::WriteFile(dir.File("node_modules/ctxlib/index.js"), lib);
  testing::WriteFile(dir.File("app.js"),
                     "'use strict';\n"
                     "const ctx = require('ctxlib');\n"
                     "const { EventEmitter } = require('events');\n"
                     "const bus = new EventEmitter();\n"
                     "function requestId() { return (ctx.current() || {}).id; }\n"
                     "for (const id of ['A', 'B'])\n"
                     "  ctx.run({ id }, () => bus.once('go', () => console.log(id, requestId())));\n"
                     "setTimeout(() => bus.emit('go'), 5);\n");
  std::string trace = Record(dir, dir.File("app.js"), "t.trace");
  auto r = testing::RunCommand(Bin() + " check --format json " + Quote(trace));
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = json::parse(r.out);
  ASSERT_FALSE(report["findings"].empty());
  const json& f = report["findings"][0];
  EXPECT_EQ(f["rule"], "listener-context");
  EXPECT_EQ(f["location"]["file"], "app.js");
  EXPECT_EQ(f["location"]["line"], 5);
  EXPECT_NE(f["title"].get<std::string>().find("(called from app.js:7:"), std::string::npos) << f["title"];
  std::string details = f["details"].dump();
  EXPECT_NE(details.find("read inside ctxlib: getStore() at node_modules/ctxlib/index.js:4:"), std::string::npos)
      << details;
  EXPECT_NE(f["hint"].get<std::string>().find("created inside ctxlib"), std::string::npos) << f["hint"];
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

TEST(Check, ReportsAreByteIdenticalAcrossRuns) {
  std::string trace = Quote(testing::SourcePath("samples/emitter-lost/trace"));
  for (const char* format : {"text", "json", "junit", "sarif"}) {
    std::string cmd = Bin() + " check --leaks --format " + format + " " + trace;
    auto a = testing::RunCommand(cmd), b = testing::RunCommand(cmd);
    EXPECT_EQ(a.exit_code, 1) << format;
    EXPECT_FALSE(a.out.empty()) << format;
    EXPECT_EQ(a.out, b.out) << format;
  }
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

TEST(Check, SaysWhenTheTraceHasNoSitesToJudgeBy) {
  TempDir dir;
  std::string trace = dir.File("t.trace");
  auto rec = testing::RunCommand(Bin() + " record --stacks none -o " + Quote(trace) + " -- node " +
                                 Quote(testing::SourcePath("samples/job-queue-lost/app.js")));
  ASSERT_EQ(rec.exit_code, 0);
  auto r = testing::RunCommand(Bin() + " check " + Quote(trace));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("note: no getStore() call site was recorded"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ahtrace
