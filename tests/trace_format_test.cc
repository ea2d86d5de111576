// The trace readers and the binary writer: what goes in comes out, and bad
// input is reported with its file and position instead of crashing.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "sinks/ndjson_writer.h"
#include "tests/test_util.h"
#include "trace/binary_writer.h"

namespace ahtrace {
namespace {
using testing::ReadAll;
using testing::TempDir;

const char* kHeader = R"({"format":"ahtrace-stream","version":1,"pid":42,"ppid":1,"threadId":0,)"
                      R"("isMainThread":true,"node":"v20.20.2","timeOrigin":1000,"stacks":"default"})";

Event Hook(EventKind kind, int64_t id, int64_t eid, int64_t tid = 0) {
  Event e;
  e.kind = kind;
  e.async_id = AsyncId(id);
  e.observed_eid = AsyncId(eid);
  e.observed_tid = AsyncId(tid);
  return e;
}

Event Init(int64_t id, const char* type, int64_t trigger, int64_t eid, const char* site = "") {
  Event e = Hook(EventKind::kInit, id, eid);
  e.type = type;
  e.trigger_id = AsyncId(trigger);
  e.site = site;
  return e;
}

void WriteSample(const std::string& path) {
  BinaryStreamWriter w;
  ASSERT_TRUE(w.Open(path, kHeader).ok());
  w.Write(Init(2, "Timeout", 1, 1, "/app.js:3:1"), 1.5);
  w.Write(Hook(EventKind::kBefore, 2, 2, 1), 2.0);
  w.DefineStore(1, "{ requestId: 7 }");
  Event get;
  get.kind = EventKind::kAlsGetStore;
  get.storage = 1;
  get.store = 1;
  get.observed_eid = AsyncId(2);
  get.site = "/app.js:4:5";
  w.Write(get, 2.1);
  w.Write(Hook(EventKind::kAfter, 2, 2, 1), 2.5);
  w.Write(Hook(EventKind::kDestroy, 2, 0), 3.0);
  ASSERT_TRUE(w.Close().ok());
}

TEST(BinaryStream, RoundTripsEveryField) {
  TempDir dir;
  WriteSample(dir.File("p42-t0.ahs"));
  auto t = ReadAll(dir.path());
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  ASSERT_EQ(t.events.size(), 5u);
  EXPECT_TRUE(t.problems.empty());
  const Event& init = t.events[0];
  EXPECT_EQ(init.kind, EventKind::kInit);
  EXPECT_EQ(init.async_id, AsyncId(2));
  EXPECT_EQ(init.trigger_id, AsyncId(1));
  EXPECT_EQ(init.type, "Timeout");
  EXPECT_EQ(init.site, "/app.js:3:1");
  EXPECT_EQ(init.ts_ns, 1000 * 1000000LL + 1500000);
  EXPECT_EQ(t.events[2].kind, EventKind::kAlsGetStore);
  EXPECT_EQ(t.events[2].store, 1);
  EXPECT_EQ(t.reader->stores(0).at(1).label, "{ requestId: 7 }");
  EXPECT_EQ(t.events[4].seq, 4u);
  ASSERT_EQ(t.reader->streams().size(), 1u);
  EXPECT_EQ(t.reader->streams()[0].pid, 42);
  EXPECT_EQ(t.reader->streams()[0].node_version, "v20.20.2");
}

TEST(BinaryStream, TruncatedTailIsReportedAndEverythingBeforeItKept) {
  TempDir dir;
  std::string path = dir.File("p42-t0.ahs");
  WriteSample(path);
  std::string bytes = testing::ReadFile(path);
  testing::WriteFile(path, bytes.substr(0, bytes.size() - 20));  // SIGKILL mid-record
  auto t = ReadAll(path);
  ASSERT_TRUE(t.status.ok());
  EXPECT_EQ(t.events.size(), 4u);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].message.find("truncated record"), std::string::npos);
  EXPECT_NE(t.problems[0].Where().find("p42-t0.ahs@"), std::string::npos);
}

TEST(BinaryStream, RefusesUnknownVersion) {
  TempDir dir;
  std::string path = dir.File("p1-t0.ahs");
  WriteSample(path);
  std::string bytes = testing::ReadFile(path);
  uint32_t v = 99;
  std::memcpy(&bytes[8], &v, 4);
  testing::WriteFile(path, bytes);
  auto t = ReadAll(path);
  EXPECT_FALSE(t.status.ok());
  EXPECT_EQ(t.status.code(), StatusCode::kInvalidTrace);
  EXPECT_NE(t.status.message().find("version 99 is not supported"), std::string::npos) << t.status.message();
}

TEST(BinaryStream, UnknownKindIsAProblemNotAnError) {
  TempDir dir;
  std::string path = dir.File("p1-t0.ahs");
  {
    BinaryStreamWriter w;
    ASSERT_TRUE(w.Open(path, kHeader).ok());
    Event bogus = Hook(static_cast<EventKind>(200), 5, 1);
    w.Write(bogus, 1);
    w.Write(Hook(EventKind::kBefore, 5, 5), 2);
    ASSERT_TRUE(w.Close().ok());
  }
  auto t = ReadAll(path);
  ASSERT_TRUE(t.status.ok());
  ASSERT_EQ(t.events.size(), 1u);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].message.find("unknown record kind 200"), std::string::npos);
}

TEST(OpenTrace, RejectsNonTraceFilesWithTheirName) {
  TempDir dir;
  testing::WriteFile(dir.File("notes.txt"), "hello world\n");
  Status st;
  EXPECT_EQ(OpenTrace(dir.File("notes.txt"), &st), nullptr);
  EXPECT_EQ(st.code(), StatusCode::kInvalidTrace);
  EXPECT_NE(st.message().find("notes.txt: not an ahtrace trace"), std::string::npos);
  EXPECT_EQ(OpenTrace(dir.path(), &st), nullptr);
  EXPECT_NE(st.message().find("no stream files"), std::string::npos);
  EXPECT_EQ(OpenTrace(dir.File("missing"), &st), nullptr);
  testing::WriteFile(dir.File("empty"), "");
  EXPECT_EQ(OpenTrace(dir.File("empty"), &st), nullptr);
  EXPECT_NE(st.message().find("empty file"), std::string::npos);
}

TEST(Ndjson, ConvertThenReadGivesTheSameEvents) {
  TempDir dir;
  WriteSample(dir.File("p42-t0.ahs"));
  auto binary = ReadAll(dir.path());
  Status st;
  auto reader = OpenTrace(dir.path(), &st);
  ASSERT_TRUE(WriteNdjson(*reader, dir.File("t.ndjson")).ok());
  auto text = ReadAll(dir.File("t.ndjson"));
  ASSERT_TRUE(text.status.ok()) << text.status.message();
  EXPECT_TRUE(text.problems.empty());
  ASSERT_EQ(text.events.size(), binary.events.size());
  for (size_t i = 0; i < text.events.size(); ++i) {
    const Event &a = binary.events[i], &b = text.events[i];
    EXPECT_EQ(a.kind, b.kind) << i;
    EXPECT_EQ(a.async_id, b.async_id) << i;
    EXPECT_EQ(a.trigger_id, b.trigger_id) << i;
    EXPECT_EQ(a.store, b.store) << i;
    EXPECT_EQ(a.type, b.type) << i;
    EXPECT_EQ(a.site, b.site) << i;
    EXPECT_EQ(a.ts_ns, b.ts_ns) << i;
    EXPECT_EQ(a.observed_eid, b.observed_eid) << i;
  }
  EXPECT_EQ(text.reader->stores(0).at(1).label, "{ requestId: 7 }");
  EXPECT_EQ(text.events[0].location, 3u);  // header line, stream line, then the init
}

TEST(Ndjson, BadLinesNameTheirLineAndReadingGoesOn) {
  TempDir dir;
  testing::WriteFile(dir.File("t.ndjson"),
                     "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n"
                     "{\"kind\":\"stream\",\"stream\":0,\"pid\":5}\n"
                     "{\"kind\":\"init\",\"stream\":0,\"asyncId\":2,\"type\":\"Timeout\",\"triggerAsyncId\":1}\n"
                     "this is not json\n"
                     "{\"kind\":\"before\",\"stream\":0}\n"
                     "{\"kind\":\"teleport\",\"stream\":0,\"asyncId\":2}\n"
                     "{\"kind\":\"after\",\"stream\":9,\"asyncId\":2}\n"
                     "{\"kind\":\"before\",\"stream\":0,\"asyncId\":2.5}\n"
                     "{\"kind\":\"after\",\"stream\":0,\"asyncId\":2}\n");
  auto t = ReadAll(dir.File("t.ndjson"));
  ASSERT_TRUE(t.status.ok());
  ASSERT_EQ(t.events.size(), 2u);
  ASSERT_EQ(t.problems.size(), 5u);
  EXPECT_EQ(t.problems[0].Where(), dir.File("t.ndjson") + ":4");
  EXPECT_NE(t.problems[1].message.find("missing \"asyncId\""), std::string::npos);
  EXPECT_NE(t.problems[2].message.find("unknown event kind \"teleport\""), std::string::npos);
  EXPECT_NE(t.problems[3].message.find("never declared"), std::string::npos);
  EXPECT_NE(t.problems[4].message.find("not an integer"), std::string::npos);
}

// The functions record (kind 19): the recorder's parser's extents of a
// program file, which check trusts over its own scanner. Untrusted input:
// a bad one is a problem naming the file and offset, and is not used.
TEST(FunctionsRecord, RoundTripsThroughBinaryAndNdjson) {
  TempDir dir;
  const std::string extents = "f1,1,1,18,3,2;c2,7,2,10,2,40;f2,25,2,31,2,39";
  {
    BinaryStreamWriter w;
    ASSERT_TRUE(w.Open(dir.File("p42-t0.ahs"), kHeader).ok());
    w.DefineSource("/app.js", "function f() {\n  als.run(s, () => {});\n}\n");
    w.DefineFunctions("/app.js", extents, 3);
    w.Write(Hook(EventKind::kBefore, 2, 2, 1), 2.0);
    ASSERT_TRUE(w.Close().ok());
  }
  auto t = ReadAll(dir.path());
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  EXPECT_TRUE(t.problems.empty());
  const SourceExtents* x = t.reader->FunctionExtents("/app.js");
  ASSERT_NE(x, nullptr);
  ASSERT_EQ(x->functions.size(), 2u);
  ASSERT_EQ(x->calls.size(), 1u);
  const FunctionExtent* f = x->FunctionAt({2, 25});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->body_begin, (SourcePos{2, 31}));
  EXPECT_EQ(f->body_end, (SourcePos{2, 39}));
  EXPECT_EQ(x->FunctionAt({2, 26}), nullptr);
  const CallExtent* c = x->CallAt({2, 7});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->open, (SourcePos{2, 10}));
  EXPECT_EQ(c->close, (SourcePos{2, 40}));
  EXPECT_EQ(t.reader->FunctionExtents("/other.js"), nullptr);

  Status st;
  auto reader = OpenTrace(dir.path(), &st);
  ASSERT_TRUE(WriteNdjson(*reader, dir.File("t.ndjson")).ok());
  std::string text = testing::ReadFile(dir.File("t.ndjson"));
  EXPECT_NE(text.find("{\"count\":3,\"extents\":\"" + extents + "\",\"file\":\"/app.js\",\"kind\":\"functions\""),
            std::string::npos)
      << text;
  auto back = ReadAll(dir.File("t.ndjson"));
  ASSERT_TRUE(back.status.ok());
  EXPECT_TRUE(back.problems.empty());
  ASSERT_NE(back.reader->FunctionExtents("/app.js"), nullptr);
  EXPECT_EQ(back.reader->FunctionExtents("/app.js")->functions.size(), 2u);
  ASSERT_EQ(back.reader->functions(0).size(), 1u);
  EXPECT_EQ(back.reader->functions(0)[0].text, extents);
}

TEST(FunctionsRecord, MalformedTextIsRefusedWithWhy) {
  SourceExtents x;
  std::string why;
  EXPECT_TRUE(ParseSourceExtents("f1,1,1,5,1,9", 1, &x, &why)) << why;
  const std::pair<const char*, int64_t> bad[] = {
      {"", 1},                          // no entries
      {"f1,1,1,5,1,9", 0},              // count out of range
      {"f1,1,1,5,1,9", 2},              // count larger than the entries
      {"f1,1,1,5,1,9;f2,1,2,2,2,3", 1}, // more entries than the count
      {"f1,1,1,5,1", 1},                // truncated
      {"f1,1,1,5,1,", 1},               // truncated after a ','
      {"f1,1,1,5,1,9;", 1},             // trailing ';'
      {"x1,1,1,5,1,9", 1},              // unknown kind
      {"f0,1,1,5,1,9", 1},              // line 0
      {"f1,1,1,5,1,99999999999", 1},    // a column beyond any file
      {"f1,1,1,5,1,-9", 1},             // a sign
      {"f1,9,1,5,1,9", 1},              // the body before the start
      {"f1,1,1,9,1,9", 1},              // an empty body
      {"c1,1,1,9,1,3", 1},              // ')' before '('
      {"f1,1,1,5,1,9 ", 1},             // trailing garbage
  };
  for (const auto& [text, count] : bad) {
    std::string t(text);
    EXPECT_FALSE(ParseSourceExtents(t, count, &x, &why)) << t;
    EXPECT_FALSE(why.empty()) << t;
    EXPECT_TRUE(x.functions.empty() && x.calls.empty()) << t;
  }
  std::string nul("f1,1,1,5\0,1,9", 13);
  EXPECT_FALSE(ParseSourceExtents(nul, 1, &x, &why));
}

TEST(FunctionsRecord, HostileRecordsAreProblemsAndIgnored) {
  TempDir dir;
  std::string path = dir.File("p42-t0.ahs");
  {
    BinaryStreamWriter w;
    ASSERT_TRUE(w.Open(path, kHeader).ok());
    w.DefineFunctions("/a.js", "f1,1,1,5,1,9;c", 2);        // truncated
    w.DefineFunctions("/b.js", "f1,1,1,5,1,9", 1e300);      // an absurd count
    w.DefineFunctions("/c.js", "f1,1,1,5,1,9", 0.5);        // not an integer
    w.DefineFunctions("", "f1,1,1,5,1,9", 1);               // no file name
    w.DefineFunctions("/d.js", "f1,1,1,5,1,9", 1);          // good
    w.Write(Hook(EventKind::kBefore, 2, 2, 1), 2.0);
    ASSERT_TRUE(w.Close().ok());
  }
  auto t = ReadAll(path);
  ASSERT_TRUE(t.status.ok());
  ASSERT_EQ(t.events.size(), 1u);
  ASSERT_EQ(t.problems.size(), 4u);
  EXPECT_NE(t.problems[0].message.find("functions record"), std::string::npos) << t.problems[0].message;
  EXPECT_NE(t.problems[0].message.find("/a.js"), std::string::npos) << t.problems[0].message;
  EXPECT_NE(t.problems[0].Where().find("@"), std::string::npos);
  EXPECT_EQ(t.reader->FunctionExtents("/a.js"), nullptr);
  EXPECT_EQ(t.reader->FunctionExtents("/b.js"), nullptr);
  EXPECT_EQ(t.reader->FunctionExtents("/c.js"), nullptr);
  EXPECT_NE(t.reader->FunctionExtents("/d.js"), nullptr);

  testing::WriteFile(dir.File("t.ndjson"),
                     "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n"
                     "{\"kind\":\"stream\",\"stream\":0,\"pid\":5}\n"
                     "{\"kind\":\"functions\",\"stream\":0,\"file\":\"/a.js\",\"extents\":\"f1,1,1,5,1,9\",\"count\":\"1\"}\n"
                     "{\"kind\":\"functions\",\"stream\":0,\"file\":\"/a.js\",\"extents\":\"f1,1,1,5,1,9\",\"count\":18446744073709551615}\n"
                     "{\"kind\":\"functions\",\"stream\":0,\"file\":\"/a.js\",\"extents\":[1],\"count\":1}\n"
                     "{\"kind\":\"functions\",\"stream\":0,\"file\":\"/b.js\",\"extents\":\"f1,1,1,5,1,9\",\"count\":1}\n"
                     "{\"kind\":\"before\",\"stream\":0,\"asyncId\":2}\n");
  auto n = ReadAll(dir.File("t.ndjson"));
  ASSERT_TRUE(n.status.ok());
  ASSERT_EQ(n.problems.size(), 3u);
  EXPECT_EQ(n.problems[0].Where(), dir.File("t.ndjson") + ":3");
  EXPECT_EQ(n.problems[1].Where(), dir.File("t.ndjson") + ":4");
  EXPECT_EQ(n.reader->FunctionExtents("/a.js"), nullptr);
  EXPECT_NE(n.reader->FunctionExtents("/b.js"), nullptr);
}

TEST(Ndjson, RefusesUnknownVersion) {
  TempDir dir;
  testing::WriteFile(dir.File("t.ndjson"), "{\"format\":\"ahtrace-ndjson\",\"version\":7}\n");
  auto t = ReadAll(dir.File("t.ndjson"));
  EXPECT_FALSE(t.status.ok());
  EXPECT_NE(t.status.message().find("version 7 is not supported"), std::string::npos);
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

// A field of the wrong type made nlohmann throw out of the reader (and the
// CLI report an internal error); it is a problem on its line instead.
TEST(Ndjson, WrongFieldTypesAreProblemsNotExceptions) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("t.ndjson"),
                     "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n"
                     "{\"kind\":\"stream\",\"stream\":0,\"pid\":5}\n"
                     "{\"kind\":\"store\",\"stream\":0,\"store\":1,\"label\":{\"nested\":true}}\n"
                     "{\"kind\":7,\"stream\":0}\n"
                     "{\"kind\":\"store\",\"stream\":0,\"store\":999999999,\"label\":\"x\"}\n"
                     "{\"kind\":\"init\",\"stream\":0,\"asyncId\":2,\"type\":\"Timeout\",\"triggerAsyncId\":1}\n");
  auto t = testing::ReadAll(dir.File("t.ndjson"));
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  EXPECT_EQ(t.events.size(), 1u);
  ASSERT_EQ(t.problems.size(), 3u);
  EXPECT_NE(t.problems[0].message.find("wrong type"), std::string::npos);
  EXPECT_EQ(t.problems[0].Where(), dir.File("t.ndjson") + ":3");
  EXPECT_NE(t.problems[2].message.find("store id 999999999 out of order"), std::string::npos);
  testing::WriteFile(dir.File("h.ndjson"), "{\"format\":\"ahtrace-ndjson\",\"version\":\"one\"}\n");
  auto h = testing::ReadAll(dir.File("h.ndjson"));
  EXPECT_EQ(h.status.code(), StatusCode::kInvalidTrace);
  EXPECT_NE(h.status.message().find("h.ndjson:1: bad header"), std::string::npos) << h.status.message();
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

TEST(NodeTraceEventLog, BadEventsAreProblemsAndReportedToTheCaller) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("node_trace.1.log"),
                     R"({"traceEvents":[)"
                     R"({"pid":1,"tid":1,"ts":5,"ph":"b","cat":"node,node.async_hooks","name":"Timeout","id":"0x2","args":{"data":{"triggerAsyncId":1,"executionAsyncId":1}}},)"
                     R"({"pid":1,"tid":1,"ts":3,"ph":"b","cat":"node,node.async_hooks","name":"X","id":"0x3"},)"
                     R"({"pid":1,"tid":1,"ts":4,"ph":"e","cat":"node,node.async_hooks","name":"Y","id":"zz"},)"
                     R"({"pid":1,"tid":1,"ts":6,"ph":"e","cat":"node,node.async_hooks","name":"Timeout","id":"0xffffffffffffffff"},)"
                     R"({"pid":1,"tid":1,"ts":1,"ph":"M","cat":"__metadata","name":"version","args":{"node":"20.20.2"}}]})");
  auto t = testing::ReadAll(dir.File("node_trace.1.log"));
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  ASSERT_EQ(t.events.size(), 1u);  // the init; the id -1 destroy is skipped
  EXPECT_EQ(t.events[0].type, "Timeout");
  EXPECT_EQ(t.reader->streams()[0].node_version, "v20.20.2");
  ASSERT_EQ(t.problems.size(), 2u);
  EXPECT_NE(t.problems[0].message.find("trace event 2"), std::string::npos);
  EXPECT_NE(t.problems[1].message.find("bad async id \"zz\""), std::string::npos);
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

// A process killed between creating its stream file and writing the header
// left an empty .ahs that made the whole trace unreadable.
TEST(BinaryStream, AnEmptyStreamInADirectoryIsSkippedNotFatal) {
  testing::TempDir dir;
  WriteSample(dir.File("p42-t0.ahs"));
  testing::WriteFile(dir.File("p43-t0.ahs"), "");
  auto t = testing::ReadAll(dir.path());
  ASSERT_TRUE(t.status.ok()) << t.status.message();
  EXPECT_EQ(t.events.size(), 5u);
  ASSERT_EQ(t.problems.size(), 1u);
  EXPECT_NE(t.problems[0].message.find("p43-t0.ahs: not an ahtrace stream (bad magic); stream skipped"),
            std::string::npos) << t.problems[0].message;
  // Only broken streams: nothing readable is an invalid trace.
  testing::TempDir bad;
  testing::WriteFile(bad.File("p1-t0.ahs"), "");
  testing::WriteFile(bad.File("p2-t0.ahs"), "xx");
  auto b = testing::ReadAll(bad.path());
  EXPECT_EQ(b.status.code(), StatusCode::kInvalidTrace);
  EXPECT_NE(b.status.message().find("no readable stream"), std::string::npos) << b.status.message();
}

}  // namespace
}  // namespace ahtrace
