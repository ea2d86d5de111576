// Replay into SQLite on damaged input: whatever a trace holds, replay
// finishes, writes every row it can, and records the damage as findings.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/test_util.h"
#include "trace/binary_writer.h"

namespace ahtrace {
namespace {
using testing::TempDir;

// Found by fuzzing: an init whose type names a string never defined made
// the resource row violate NOT NULL and the whole replay fail.
TEST(ReplayDamagedTrace, InitWithAnUndefinedTypeStringStillReplays) {
  TempDir dir;
  std::string path = dir.File("p1-t0.ahs");
  {
    BinaryStreamWriter w;
    ASSERT_TRUE(w.Open(path, R"({"format":"ahtrace-stream","version":1,"pid":1,"threadId":0,"node":"v20.20.2"})").ok());
    Event e;
    e.kind = EventKind::kInit;
    e.async_id = AsyncId(2);
    e.trigger_id = AsyncId(1);
    e.type = "Timeout";
    e.observed = false;
    w.Write(e, 1);
    Event end;
    end.kind = EventKind::kStreamEnd;
    w.Write(end, 2);
    ASSERT_TRUE(w.Close().ok());
  }
  std::string bytes = testing::ReadFile(path);
  // The init is the record before the stream's end; point its type at string 99.
  uint32_t missing = 99;
  std::memcpy(&bytes[bytes.size() - 2 * 56 + 4], &missing, 4);
  testing::WriteFile(path, bytes);

  testing::ReplayInto(dir.path(), dir.File("t.db"));
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT async_id, type FROM resource WHERE synthetic = 0"), "2|(no type)\n");
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT kind, severity FROM finding"), "bad-record|error\n");
  EXPECT_NE(testing::QueryRows(dir.File("t.db"), "SELECT message FROM finding").find("p1-t0.ahs@"), std::string::npos);
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

// A trace that starts inside a callback (a worker's script, recorded by a
// tool that does not synthesize the first before) left that span without a
// before position, and the callback row broke NOT NULL: replay failed.
TEST(ReplayDamagedTrace, TraceStartingInsideACallbackStillReplays) {
  TempDir dir;
  testing::WriteFile(dir.File("t.ndjson"),
                     "{\"format\":\"ahtrace-ndjson\",\"version\":1}\n"
                     "{\"kind\":\"stream\",\"stream\":0,\"pid\":9,\"threadId\":1,\"node\":\"v20.20.2\"}\n"
                     "{\"kind\":\"init\",\"stream\":0,\"asyncId\":6,\"type\":\"Timeout\",\"triggerAsyncId\":2,\"eid\":2,\"tid\":0}\n"
                     "{\"kind\":\"after\",\"stream\":0,\"asyncId\":2,\"eid\":2,\"tid\":0}\n"
                     "{\"kind\":\"before\",\"stream\":0,\"asyncId\":6,\"eid\":6,\"tid\":2}\n"
                     "{\"kind\":\"after\",\"stream\":0,\"asyncId\":6,\"eid\":6,\"tid\":2}\n"
                     "{\"kind\":\"streamEnd\",\"stream\":0,\"exitCode\":0}\n");
  testing::ReplayInto(dir.File("t.ndjson"), dir.File("t.db"));
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT async_id, depth, before_seq, after_seq FROM callback ORDER BY callback_id"),
            "2|0|0|1\n6|0|2|3\n");
  EXPECT_EQ(testing::QueryRows(dir.File("t.db"), "SELECT kind, severity FROM finding"), "unknown-resource|info\n");
}

}  // namespace
}  // namespace ahtrace
