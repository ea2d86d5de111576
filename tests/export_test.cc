// `ahtrace export`: a trace in, Chrome trace-event JSON out, read back the
// way a viewer reads it. Every track's B/E slices close and nest, flows
// start inside a slice and end on a slice, lifetimes begin and end once,
// every stream has its named track, and the same trace gives the same
// bytes.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "sinks/chrome_trace_writer.h"
#include "tests/test_util.h"

namespace ahtrace {
namespace {
using json = nlohmann::json;
using testing::Quote;
using testing::RunCommand;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

// Chrome's "ts" is a decimal number of microseconds; kept as ns here so
// that comparisons are exact.
int64_t Ns(const json& ts) { return std::llround(ts.get<double>() * 1000.0); }

struct Slice {
  int64_t begin_ns, end_ns;
};

// What a viewer would build from the file, and every way it could be broken.
struct Structure {
  std::vector<std::string> errors;
  std::map<std::pair<int64_t, int64_t>, std::vector<Slice>> slices;  // (pid, tid) -> callbacks
  std::set<std::pair<int64_t, int64_t>> named_threads;
  std::set<int64_t> named_processes;
  size_t callbacks = 0, flows = 0, lifetimes = 0, instants = 0, leaked = 0;
  std::vector<json> instant_events;
};

Structure Examine(const json& doc) {
  Structure s;
  auto fail = [&](const std::string& why, const json& e) { s.errors.push_back(why + ": " + e.dump()); };
  if (!doc.is_object() || !doc.contains("traceEvents") || !doc["traceEvents"].is_array()) {
    s.errors.push_back("no traceEvents array");
    return s;
  }
  struct Open {
    std::string name;
    int64_t begin_ns;
  };
  std::map<std::pair<int64_t, int64_t>, std::vector<Open>> stacks;
  std::map<std::pair<int64_t, int64_t>, int64_t> last_ts;
  std::map<std::tuple<int64_t, std::string, std::string>, int> open_lifetimes;
  std::map<int64_t, std::pair<json, json>> flows;  // id -> (s, f)
  std::set<std::pair<int64_t, int64_t>> tracks_used;
  for (const json& e : doc["traceEvents"]) {
    std::string ph = e.value("ph", "");
    if (!e.contains("pid") || !e.contains("tid") || !e.contains("name")) {
      fail("event without pid, tid or name", e);
      continue;
    }
    std::pair<int64_t, int64_t> track{e["pid"].get<int64_t>(), e["tid"].get<int64_t>()};
    if (ph == "M") {
      if (e["name"] == "thread_name") s.named_threads.insert(track);
      if (e["name"] == "process_name") s.named_processes.insert(track.first);
      continue;
    }
    if (!e.contains("ts") || !e["ts"].is_number()) {
      fail("event without ts", e);
      continue;
    }
    int64_t ts = Ns(e["ts"]);
    if (ph != "s") tracks_used.insert(track);
    if (ph == "B" || ph == "E") {
      if (last_ts.count(track) && ts < last_ts[track]) fail("time goes backwards on a track", e);
      last_ts[track] = ts;
    }
    if (ph == "B") {
      stacks[track].push_back({e["name"], ts});
      ++s.callbacks;
    } else if (ph == "E") {
      auto& stack = stacks[track];
      if (stack.empty()) {
        fail("E without B", e);
      } else {
        if (stack.back().name != e["name"]) fail("E closes another slice than the innermost", e);
        s.slices[track].push_back({stack.back().begin_ns, ts});
        stack.pop_back();
      }
    } else if (ph == "b" || ph == "e") {
      if (!e.contains("id2") || !e["id2"].contains("local")) fail("lifetime without id2.local", e);
      auto key = std::make_tuple(track.first, e.value("cat", ""), e["id2"].value("local", ""));
      int& n = open_lifetimes[key];
      n += ph == "b" ? 1 : -1;
      if (n < 0 || n > 1) fail("lifetime not opened exactly once before it ends", e);
      if (ph == "b") ++s.lifetimes;
      if (ph == "e" && e.contains("args") && e["args"].value("leaked", false)) ++s.leaked;
    } else if (ph == "s" || ph == "f") {
      auto& pair = flows[e["id"].get<int64_t>()];
      (ph == "s" ? pair.first : pair.second) = e;
    } else if (ph == "i") {
      ++s.instants;
      s.instant_events.push_back(e);
    } else {
      fail("unexpected phase", e);
    }
  }
  for (const auto& [track, stack] : stacks)
    if (!stack.empty()) s.errors.push_back("slice never closed on pid " + std::to_string(track.first));
  for (const auto& [key, n] : open_lifetimes)
    if (n != 0) s.errors.push_back("lifetime never ended: " + std::get<2>(key));
  for (const auto& track : tracks_used)
    if (!s.named_threads.count(track) || !s.named_processes.count(track.first))
      s.errors.push_back("track without a name: pid " + std::to_string(track.first) + " tid " +
                         std::to_string(track.second));
  // A flow starts inside a slice of its track and ends where a slice of
  // that track begins (bound to it: bp "e").
  auto inside = [&](const json& e, bool at_begin) {
    int64_t ts = Ns(e["ts"]);
    for (const Slice& sl : s.slices[{e["pid"].get<int64_t>(), e["tid"].get<int64_t>()}])
      if (at_begin ? sl.begin_ns == ts : sl.begin_ns <= ts && ts <= sl.end_ns) return true;
    return false;
  };
  for (const auto& [id, pair] : flows) {
    ++s.flows;
    if (pair.first.is_null() || pair.second.is_null()) {
      s.errors.push_back("flow " + std::to_string(id) + " has no start or no end");
      continue;
    }
    if (!inside(pair.first, false)) fail("flow starts outside any slice", pair.first);
    if (!inside(pair.second, true) || pair.second.value("bp", "") != "e") fail("flow does not end on a slice", pair.second);
  }
  return s;
}

struct Exported {
  testing::CommandResult run;
  std::string text;
  json doc;
};

Exported Export(const std::string& trace, const std::string& out, const std::string& flags = "") {
  Exported x;
  x.run = RunCommand(Bin() + " export " + Quote(trace) + " -o " + Quote(out) + flags);
  if (x.run.exit_code == 0) {
    x.text = testing::ReadFile(out);
    x.doc = json::parse(x.text, nullptr, false);
  }
  return x;
}

std::string Errors(const Structure& s) {
  std::string all;
  for (size_t i = 0; i < s.errors.size() && i < 10; ++i) all += s.errors[i] + "\n";
  return all;
}

// Exports `trace` to `out` and reads it back; a failed export or anything
// malformed in the result fails the test.
Structure ExportWellFormed(const std::string& trace, const std::string& out, Exported* x,
                           const std::string& flags = "") {
  *x = Export(trace, out, flags);
  EXPECT_EQ(x->run.exit_code, 0) << x->run.err;
  Structure s = Examine(x->doc);
  EXPECT_TRUE(s.errors.empty()) << Errors(s) << x->run.err;
  return s;
}

TEST(Export, EverySampleGivesWellFormedTracksSlicesAndFlows) {
  TempDir dir;
  size_t samples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::SourcePath("samples"))) {
    std::string trace = entry.path().string() + "/trace";
    if (!std::filesystem::is_directory(trace)) continue;
    ++samples;
    SCOPED_TRACE(trace);
    Exported x;
    Structure s = ExportWellFormed(trace, dir.File("out.json"), &x);
    EXPECT_GT(s.callbacks, 0u);
    EXPECT_GT(s.flows, 0u);
    EXPECT_GT(s.lifetimes, 0u);
    // One named track per stream, nothing more.
    auto t = testing::ReadAll(trace);
    EXPECT_EQ(s.named_threads.size(), t.reader->streams().size());
    EXPECT_EQ(x.doc["otherData"]["ahtraceExportVersion"], kChromeTraceExportVersion);
  }
  EXPECT_GE(samples, 10u);
}

TEST(Export, WorkerThreadsAndChildProcessesEachGetTheirOwnTrack) {
  TempDir dir;
  Exported worker;
  Structure w = ExportWellFormed(testing::SourcePath("samples/worker/trace"), dir.File("w.json"), &worker);
  EXPECT_EQ(w.named_processes.size(), 1u);
  EXPECT_EQ(w.named_threads.size(), 2u);
  EXPECT_EQ(w.slices.size(), 2u) << "callbacks on both the main thread and the worker";
  // Async ids restart at 1 in a worker: its lifetimes must not share ids
  // with the main thread's in the same process.
  std::set<std::string> ids;
  size_t begins = 0;
  for (const json& e : worker.doc["traceEvents"])
    if (e["ph"] == "b") {
      ++begins;
      ids.insert(e["cat"].get<std::string>() + e["id2"]["local"].get<std::string>());
    }
  EXPECT_EQ(ids.size(), begins);

  Exported child;
  Structure c = ExportWellFormed(testing::SourcePath("samples/child-process/trace"), dir.File("c.json"), &child);
  EXPECT_EQ(c.named_processes.size(), 3u);
  for (int64_t pid : c.named_processes) EXPECT_TRUE(c.named_threads.count({pid, pid})) << pid;
}

TEST(Export, TheSameTraceGivesTheSameBytes) {
  TempDir dir;
  for (const char* sample : {"samples/http-als/trace", "samples/child-process/trace"}) {
    Exported a = Export(testing::SourcePath(sample), dir.File("a.json"));
    Exported b = Export(testing::SourcePath(sample), dir.File("b.json"));
    ASSERT_EQ(a.run.exit_code, 0) << a.run.err;
    ASSERT_EQ(b.run.exit_code, 0) << b.run.err;
    EXPECT_EQ(a.text, b.text) << sample;
  }
}

// The context-lost finding of job-queue-lost sits on the thread's track
// inside the callback that read the store, with check's message.
TEST(Export, CheckFindingsAreInstantsInsideTheCallbackWhereTheyHappened) {
  TempDir dir;
  Exported x;
  Structure s = ExportWellFormed(testing::SourcePath("samples/job-queue-lost/trace"), dir.File("q.json"), &x);
  const json* lost = nullptr;
  for (const json& e : s.instant_events)
    if (e["name"] == "context-lost") lost = &e;
  ASSERT_NE(lost, nullptr) << x.text;
  EXPECT_EQ((*lost)["s"], "t");
  EXPECT_NE((*lost)["args"]["message"].get<std::string>().find("getStore() returned undefined"), std::string::npos);
  bool in_slice = false;
  int64_t ts = Ns((*lost)["ts"]);
  for (const Slice& sl : s.slices[{(*lost)["pid"].get<int64_t>(), (*lost)["tid"].get<int64_t>()}])
    in_slice |= sl.begin_ns <= ts && ts <= sl.end_ns;
  EXPECT_TRUE(in_slice);

  Exported quiet;
  EXPECT_EQ(ExportWellFormed(testing::SourcePath("samples/job-queue-lost/trace"), dir.File("n.json"), &quiet,
                             " --no-findings")
                .instants,
            0u);
}

// A damaged stream: an after for a callback that is not the innermost, a
// callback still open at the end, a time that goes back, a Timeout never
// destroyed. The slices must still close and nest, and the live handle is
// a bar to the end of the stream marked leaked.
TEST(Export, ABrokenStackStillGivesClosedNestedSlicesAndLeaksRunToTheEnd) {
  TempDir dir;
  std::string trace = dir.File("t.ndjson");
  testing::WriteFile(trace, R"({"format":"ahtrace-ndjson","version":1}
{"kind":"stream","stream":0,"pid":7,"node":"v20.20.2","cwd":"/"}
{"kind":"init","stream":0,"asyncId":2,"triggerAsyncId":1,"type":"Timeout","ts":1,"site":"/a.js:1:1"}
{"kind":"init","stream":0,"asyncId":3,"triggerAsyncId":1,"type":"Immediate","ts":2}
{"kind":"before","stream":0,"asyncId":2,"ts":3}
{"kind":"init","stream":0,"asyncId":4,"triggerAsyncId":2,"type":"Immediate","ts":3.5}
{"kind":"before","stream":0,"asyncId":3,"ts":4}
{"kind":"after","stream":0,"asyncId":2,"ts":2.5}
{"kind":"before","stream":0,"asyncId":4,"ts":6}
{"kind":"destroy","stream":0,"asyncId":3,"ts":7}
{"kind":"before","stream":0,"asyncId":3,"ts":8}
)");
  Exported x;
  Structure s = ExportWellFormed(trace, dir.File("t.json"), &x);
  EXPECT_EQ(s.leaked, 1u) << x.text;
  // The Timeout's lifetime ends at the stream's last time (8 ms), leaked.
  for (const json& e : x.doc["traceEvents"])
    if (e["ph"] == "e" && e["name"] == "Timeout") {
      EXPECT_EQ(e["ts"].get<double>(), 8000.0);
      EXPECT_EQ(e["args"]["leaked"], true);
    }
}

// Node's own log of a program with a worker: streams keyed by OS thread
// ids, no sites, no stores; still one named track per thread, closed
// slices, flows on slices.
TEST(Export, NodesOwnTraceEventLogExportsToo) {
  TempDir dir;
  auto run = RunCommand("cd " + Quote(dir.path()) + " && node --trace-event-categories node.async_hooks " +
                        Quote(testing::SourcePath("tests/e2e_programs/worker.js")));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Exported x;
  Structure s = ExportWellFormed(dir.File("node_trace.1.log"), dir.File("t.json"), &x);
  EXPECT_GT(s.callbacks, 0u);
  EXPECT_GT(s.flows, 0u);
  auto t = testing::ReadAll(dir.File("node_trace.1.log"));
  EXPECT_EQ(s.named_threads.size(), t.reader->streams().size());
}

TEST(Export, BadInputAndAnOutputOverTheInputAreRefused) {
  TempDir dir;
  testing::WriteFile(dir.File("junk"), "hello\n");
  auto bad = RunCommand(Bin() + " export " + Quote(dir.File("junk")) + " -o " + Quote(dir.File("x.json")));
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("junk: not an ahtrace trace"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("x.json")));

  std::string trace = dir.File("t.ndjson");
  testing::WriteFile(trace, "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n");
  auto over = RunCommand(Bin() + " export " + Quote(trace) + " -o " + Quote(trace));
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_NE(over.err.find("is the input trace"), std::string::npos) << over.err;
  EXPECT_EQ(testing::ReadFile(trace), "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n");

  auto unwritable = RunCommand(Bin() + " export " + Quote(testing::SourcePath("samples/timers/trace")) +
                               " -o /nonexistent-dir/x.json");
  EXPECT_EQ(unwritable.exit_code, 4) << unwritable.err;
}

TEST(Export, TimesAreExactDecimalMicroseconds) {
  EXPECT_EQ(FormatMicroseconds(0), "0.000");
  EXPECT_EQ(FormatMicroseconds(1), "0.001");
  EXPECT_EQ(FormatMicroseconds(-1), "-0.001");
  EXPECT_EQ(FormatMicroseconds(1234567), "1234.567");
  EXPECT_EQ(FormatMicroseconds(1795315888254044928), "1795315888254044.928");
  EXPECT_EQ(FormatMicroseconds(INT64_MIN), "-9223372036854775.808");
}

}  // namespace
}  // namespace ahtrace
