// Node's own trace-event logs, read as a stream: the scanner that cuts the
// traceEvents array into elements whatever the chunk boundaries, a log cut
// short by a kill, and a rotated set (node_trace.1.log, node_trace.2.log,
// ...) read from its directory as one trace.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"
#include "trace/trace_events_reader.h"
#include "trace/trace_events_scanner.h"

namespace ahtrace {
namespace {
using json = nlohmann::json;
using testing::Quote;
using testing::TempDir;

struct Scanned {
  std::vector<std::string> elements;
  TraceEventsScanner::Result last;
  std::string error;
};

Scanned ScanAll(const std::string& text, size_t chunk) {
  std::istringstream in(text);
  TraceEventsScanner scanner(in, chunk);
  Scanned s;
  if (!scanner.Start()) {
    s.last = TraceEventsScanner::Result::kError;
    s.error = scanner.error();
    return s;
  }
  while ((s.last = scanner.Next()) == TraceEventsScanner::Result::kElement) s.elements.emplace_back(scanner.element());
  s.error = scanner.error();
  return s;
}

TEST(TraceEventsScanner, CutsElementsTheSameWhateverTheChunkSize) {
  // Brackets, commas and escaped quotes inside strings; a key before
  // traceEvents whose value holds brackets; a byte-order mark; spacing.
  const std::string doc = "\xEF\xBB\xBF {\"meta\": {\"a\": [1, \"]}\"]}, \"traceEvents\" : [\n"
                          "{\"name\":\"a]\\\"},{\",\"args\":{\"x\":[1,{\"y\":\"}\"}]}} ,\n"
                          "  7, \"s\\\\\", [ ],\n{}\n] , \"after\": whatever-is-not-read";
  const std::vector<std::string> expected = {"{\"name\":\"a]\\\"},{\",\"args\":{\"x\":[1,{\"y\":\"}\"}]}}", "7",
                                             "\"s\\\\\"", "[ ]", "{}"};
  for (size_t chunk : {1, 2, 3, 5, 7, 64, 1 << 20}) {
    Scanned s = ScanAll(doc, chunk);
    EXPECT_EQ(s.last, TraceEventsScanner::Result::kEnd) << chunk << ": " << s.error;
    EXPECT_EQ(s.elements, expected) << "chunk " << chunk;
  }
}

TEST(TraceEventsScanner, TellsTruncationFromDamage) {
  for (size_t chunk : {1, 4, 4096}) {
    Scanned cut = ScanAll("{\"traceEvents\":[{\"a\":1},{\"b\":[2", chunk);
    EXPECT_EQ(cut.last, TraceEventsScanner::Result::kTruncated);
    EXPECT_EQ(cut.elements, std::vector<std::string>{"{\"a\":1}"});
    EXPECT_EQ(ScanAll("{\"traceEvents\":[{\"a\":1}", chunk).last, TraceEventsScanner::Result::kTruncated);

    Scanned junk = ScanAll("{\"traceEvents\":[{\"a\":1} x {\"b\":2}]}", chunk);
    EXPECT_EQ(junk.last, TraceEventsScanner::Result::kError);
    EXPECT_NE(junk.error.find("expected ',' or ']'"), std::string::npos) << junk.error;
    EXPECT_EQ(ScanAll("{\"traceEvents\":[1,,2]}", chunk).last, TraceEventsScanner::Result::kError);
    for (const char* not_a_log : {"", "[]", "{\"traceEvents\":{}}", "{\"other\":1}", "{\"traceEvents\"}"}) {
      Scanned s = ScanAll(not_a_log, chunk);
      EXPECT_EQ(s.last, TraceEventsScanner::Result::kError) << not_a_log;
      EXPECT_NE(s.error.find("not a node trace-event log"), std::string::npos) << not_a_log;
    }
  }
}

std::string AsyncEvent(int64_t tid, double ts, const char* ph, const std::string& name, int64_t id) {
  json e = {{"pid", 1},  {"tid", tid}, {"ts", ts}, {"ph", ph}, {"cat", "node,node.async_hooks"},
            {"name", name}, {"id", "0x" + std::to_string(id)}};
  if (std::string(ph) == "b" && name.find("_CALLBACK") == std::string::npos)
    e["args"] = {{"data", {{"triggerAsyncId", 1}, {"executionAsyncId", 1}}}};
  return e.dump();
}

// What node leaves when it is killed mid-write: no "]}" and half an event.
TEST(NodeTraceEventLog, ALogCutShortIsAProblemAndTheEventsBeforeItAreRead) {
  TempDir dir;
  testing::WriteFile(dir.File("node_trace.1.log"), "{\"traceEvents\":[" + AsyncEvent(1, 5, "b", "Timeout", 2) + "," +
                                                       AsyncEvent(1, 6, "b", "TIMERWRAP_CALLBACK", 2) + ",{\"pid\":1,\"ti");
  auto t = testing::ReadAll(dir.File("node_trace.1.log"));
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[1].kind, EventKind::kBefore);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].message.find("ends inside its traceEvents array"), std::string::npos);
}

// Small inversions are put back in time order; an event later than the
// 65,536-event window can repair is said, and replayed where it is.
TEST(NodeTraceEventLog, EventsOutOfOrderAreSortedWithinTheWindowAndReportedBeyondIt) {
  TempDir dir;
  std::string text = "{\"traceEvents\":[" + AsyncEvent(1, 3, "b", "Timeout", 3) + "," +
                     AsyncEvent(1, 2, "b", "Timeout", 2);  // two microseconds apart, swapped
  for (int id = 4; id < 70004; ++id) text += "," + AsyncEvent(1, 10 + id, "b", "Immediate", id);
  text += "," + AsyncEvent(1, 5, "b", "Immediate", 70004) + "]}";  // 70,000 events late
  testing::WriteFile(dir.File("node_trace.1.log"), text);
  auto t = testing::ReadAll(dir.File("node_trace.1.log"));
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  ASSERT_EQ(t.events.size(), 70003u);
  EXPECT_EQ(t.events[0].async_id, AsyncId(2));
  EXPECT_EQ(t.events[1].async_id, AsyncId(3));
  // Still handed out (as soon as it arrives: everything waiting is later).
  EXPECT_EQ(std::count_if(t.events.begin(), t.events.end(), [](const Event& e) { return e.async_id == AsyncId(70004); }),
            1);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].message.find("replayed out of time order"), std::string::npos) << t.problems[0].message;
}

// Past the start, a log whose structure breaks is still an invalid trace
// (exit 3), named with the byte where it broke, not a silent short read.
TEST(NodeTraceEventLog, ALogThatBreaksItsStructureLaterIsAnInvalidTrace) {
  TempDir dir;
  testing::WriteFile(dir.File("node_trace.1.log"),
                     "{\"traceEvents\":[" + AsyncEvent(1, 5, "b", "Timeout", 2) + " garbage ]}");
  auto r = testing::RunCommand(Quote(testing::AhtraceBin()) + " stats " + Quote(dir.File("node_trace.1.log")));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("node_trace.1.log: at byte "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected ',' or ']' after a trace event"), std::string::npos) << r.err;
}

// A rotated set is the files of one run, one after another: a thread's
// callbacks go on in the next file, and file 10 comes after file 2.
TEST(NodeTraceEventLog, ARotatedSetInADirectoryIsOneTrace) {
  TempDir dir;
  std::string logs = dir.File("logs");
  std::filesystem::create_directory(logs);
  auto write = [&](const char* name, std::vector<std::string> events) {
    std::string text = "{\"traceEvents\":[";
    for (size_t i = 0; i < events.size(); ++i) text += (i ? "," : "") + events[i];
    testing::WriteFile(logs + "/" + name, text + "]}");
  };
  write("node_trace.1.log", {AsyncEvent(1, 10, "b", "Timeout", 2), AsyncEvent(1, 11, "b", "Timeout_CALLBACK", 2)});
  write("node_trace.2.log", {AsyncEvent(1, 12, "b", "Immediate", 3), AsyncEvent(1, 13, "e", "Timeout_CALLBACK", 2)});
  write("node_trace.10.log", {AsyncEvent(1, 14, "e", "Timeout", 2), AsyncEvent(1, 15, "e", "Immediate", 3)});
  testing::WriteFile(logs + "/notes.txt", "not a log\n");
  EXPECT_EQ(ListTraceEventLogs(logs),
            (std::vector<std::string>{logs + "/node_trace.1.log", logs + "/node_trace.2.log", logs + "/node_trace.10.log"}));

  auto t = testing::ReadAll(logs);
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  EXPECT_TRUE(t.problems.empty());
  ASSERT_EQ(t.reader->streams().size(), 1u);
  std::vector<EventKind> kinds;
  for (const auto& e : t.events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<EventKind>{EventKind::kInit, EventKind::kBefore, EventKind::kInit, EventKind::kAfter,
                                           EventKind::kDestroy, EventKind::kDestroy}));
  for (size_t i = 0; i < t.events.size(); ++i) EXPECT_EQ(t.events[i].seq, i);

  // Every command takes the directory; replay keeps node's rules across files.
  auto replay = testing::RunCommand(Quote(testing::AhtraceBin()) + " replay " + Quote(logs) + " -o " +
                                    Quote(dir.File("t.db")));
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.err.find("replayed 6 events from 1 stream(s)"), std::string::npos) << replay.err;
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT count(*) FROM finding WHERE severity = 'error'"), "0\n");
}

// A real log, cut into rotated files at arbitrary points, reads exactly as
// the single file does.
TEST(NodeTraceEventLog, ARealLogSplitIntoRotatedFilesReadsTheSame) {
  TempDir dir;
  auto run = testing::RunCommand("cd " + Quote(dir.path()) + " && node --trace-event-categories node.async_hooks " +
                                 Quote(testing::SourcePath("tests/e2e_programs/worker.js")));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string whole = dir.File("node_trace.1.log");
  json doc = json::parse(testing::ReadFile(whole));
  const json& events = doc["traceEvents"];
  ASSERT_GT(events.size(), 20u);
  std::string logs = dir.File("rotated");
  std::filesystem::create_directory(logs);
  size_t parts = 3, per = events.size() / parts + 1;
  for (size_t p = 0; p < parts; ++p) {
    json part = {{"traceEvents", json::array()}};
    for (size_t i = p * per; i < std::min(events.size(), (p + 1) * per); ++i) part["traceEvents"].push_back(events[i]);
    testing::WriteFile(logs + "/node_trace." + std::to_string(p + 1) + ".log", part.dump());
  }
  auto a = testing::ReadAll(whole);
  auto b = testing::ReadAll(logs);
  ASSERT_TRUE(a.status.ok() && b.status.ok());
  ASSERT_EQ(a.events.size(), b.events.size());
  ASSERT_EQ(a.reader->streams().size(), b.reader->streams().size());
  EXPECT_GE(a.reader->streams().size(), 2u) << "the main thread and the worker";
  for (size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].kind, b.events[i].kind) << i;
    EXPECT_EQ(a.events[i].async_id, b.events[i].async_id) << i;
    EXPECT_EQ(a.events[i].ts_ns, b.events[i].ts_ns) << i;
    EXPECT_EQ(a.events[i].stream, b.events[i].stream) << i;
  }
}

}  // namespace
}  // namespace ahtrace
