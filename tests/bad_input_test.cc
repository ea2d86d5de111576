// Hostile and damaged traces, one class each: what every reading command
// does with it (the exit code and the message a user sees), and that it
// ends. Traces come from production machines, other tools, programs killed
// halfway and people who want to break the CI job that reads them. Inputs
// are built here rather than committed, because several are large by
// design; tests/bad_inputs/ holds the small ones fuzzing found.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/test_util.h"
#include "trace/binary_writer.h"

namespace ahtrace {
namespace {
namespace fs = std::filesystem;
using testing::Quote;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

constexpr const char* kHeader =
    R"({"format":"ahtrace-stream","version":1,"pid":7,"threadId":0,"node":"v20.20.2","timeOrigin":1700000000000)";

// One binary stream: `header_extra` is spliced into the header object, then
// one well-formed init.
std::string WriteStream(const TempDir& dir, const std::string& header_extra, const std::string& name = "p7-t0.ahs") {
  std::string path = dir.File(name);
  BinaryStreamWriter w;
  EXPECT_TRUE(w.Open(path, std::string(kHeader) + header_extra + "}").ok());
  Event e;
  e.kind = EventKind::kInit;
  e.async_id = AsyncId(2);
  e.trigger_id = AsyncId(1);
  e.type = "Timeout";
  e.observed = false;
  w.Write(e, 1.0);
  EXPECT_TRUE(w.Close().ok());
  return path;
}

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// Every command that reads a trace, as a user runs it.
std::vector<std::string> ReadingCommands(const TempDir& dir, const std::string& trace) {
  return {Bin() + " stats " + Quote(trace),
          Bin() + " replay " + Quote(trace) + " -o " + Quote(dir.File("out.db")),
          Bin() + " check " + Quote(trace),
          Bin() + " graph " + Quote(trace) + " -o " + Quote(dir.File("out.dot")),
          Bin() + " convert " + Quote(trace) + " -o " + Quote(dir.File("out.ndjson"))};
}

// A header nested 100,000 deep used to overflow the stack when the header
// was serialised (exit 139). No recorder writes more than 3 levels.
TEST(BadInput, DeeplyNestedBinaryHeaderIsRefusedByEveryCommand) {
  TempDir dir;
  std::string trace = WriteStream(dir, R"(,"x":)" + Nested(100000));
  for (const auto& cmd : ReadingCommands(dir, trace)) {
    auto r = testing::RunCommand(cmd);
    EXPECT_EQ(r.exit_code, 3) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find("p7-t0.ahs: header nests JSON deeper than 64 levels"), std::string::npos) << cmd << r.err;
  }
}

TEST(BadInput, DeeplyNestedNdjsonLineIsAProblemNotACrash) {
  TempDir dir;
  std::string trace = dir.File("t.ndjson");
  testing::WriteFile(trace, R"({"format":"ahtrace-ndjson","version":1}
{"kind":"stream","stream":0,"pid":1,"node":"v20.20.2","x":)" + Nested(100000) + R"(}
{"kind":"stream","stream":1,"pid":2,"node":"v20.20.2"}
{"kind":"init","stream":1,"asyncId":2,"triggerAsyncId":1,"type":"Timeout"}
{"kind":"streamEnd","stream":1,"exitCode":0}
)");
  for (const auto& cmd : ReadingCommands(dir, trace)) {
    auto r = testing::RunCommand(cmd);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 6) << cmd << "\n" << r.err;
  }
  auto stats = testing::RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_NE(stats.out.find("t.ndjson:2: JSON nested deeper than 64 levels; line ignored"), std::string::npos)
      << stats.out;
  // The first line is the format marker: nested there, it is not a trace.
  testing::WriteFile(trace, "{\"x\":" + Nested(100000) + "}\n");
  auto r = testing::RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("t.ndjson:1: not an ahtrace trace (JSON nested deeper than 64 levels)"), std::string::npos)
      << r.err;
}

// A 64 MiB run of zeros after a valid header is 1,198,372 unreadable
// records and a truncated one: each is counted, the first 1000 are listed,
// and replay writes one row for the rest instead of one per record.
TEST(BadInput, AFloodOfBadRecordsIsCountedNotKept) {
  TempDir dir;
  std::string trace = WriteStream(dir, "");
  {
    std::FILE* f = std::fopen(trace.c_str(), "ab");
    ASSERT_NE(f, nullptr);
    std::string zeros(1 << 20, '\0');
    for (int i = 0; i < 64; ++i) std::fwrite(zeros.data(), 1, zeros.size(), f);
    std::fclose(f);
  }
  auto stats = testing::RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("problems: 1198373 (first ones below)"), std::string::npos) << stats.out;
  std::string db = dir.File("t.db");
  auto replay = testing::RunCommand(Bin() + " replay " + Quote(trace) + " -o " + Quote(db));
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(testing::QueryRows(db, "SELECT count(*) FROM finding WHERE kind = 'bad-record'"), "1001\n");
  EXPECT_EQ(testing::QueryRows(db, "SELECT message FROM finding WHERE kind = 'bad-record' AND message LIKE 'and %'"),
            "and 1197373 more records that could not be read, not listed (the first 1000 are)\n");
  auto check = testing::RunCommand(Bin() + " check " + Quote(trace));
  EXPECT_EQ(check.exit_code, 1) << check.err;
}

// Times from the trace are added to the stream's origin and subtracted from
// each other in 64-bit nanoseconds: values no recorder writes are problems,
// never arithmetic (UndefinedBehaviorSanitizer found the overflow).
TEST(BadInput, TimesBeyondAnyRecordingAreProblemsNotOverflow) {
  TempDir dir;
  std::string trace = dir.File("t.ndjson");
  testing::WriteFile(trace, R"({"format":"ahtrace-ndjson","version":1}
{"kind":"stream","stream":0,"pid":1,"node":"v20.20.2","timeOrigin":1e300}
{"kind":"init","stream":0,"asyncId":2,"triggerAsyncId":1,"type":"Timeout","ts":1e300}
{"kind":"init","stream":0,"asyncId":3,"triggerAsyncId":1,"type":"Timeout","ts":-1e300}
{"kind":"init","stream":0,"asyncId":4,"triggerAsyncId":1,"type":"Timeout","ts":5}
{"kind":"streamEnd","stream":0,"exitCode":0,"ts":7}
)");
  auto stats = testing::RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("time span: 2.000 ms"), std::string::npos) << stats.out;
  EXPECT_NE(stats.out.find("t.ndjson:3: \"ts\" is not a time in milliseconds within 31 years of the origin"),
            std::string::npos)
      << stats.out;
  auto convert = testing::RunCommand(Bin() + " convert " + Quote(trace));
  EXPECT_EQ(convert.exit_code, 0);
  EXPECT_NE(convert.out.find("\"ts\":5.0"), std::string::npos) << convert.out;
}

// Some editors and Windows tools start a UTF-8 file with a byte-order mark.
TEST(BadInput, NdjsonWithAByteOrderMarkIsRead) {
  TempDir dir;
  std::string trace = dir.File("t.ndjson");
  testing::WriteFile(trace, "\xEF\xBB\xBF" R"({"format":"ahtrace-ndjson","version":1}
{"kind":"stream","stream":0,"pid":1,"node":"v20.20.2"}
{"kind":"init","stream":0,"asyncId":2,"triggerAsyncId":1,"type":"Timeout"}
{"kind":"streamEnd","stream":0,"exitCode":0}
)");
  auto r = testing::RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("events: 2"), std::string::npos) << r.out;
}

// /proc files report a size of 0 and have content: judged by what reading
// gives, they are "not a trace", not "empty".
TEST(BadInput, ProcFilesAreNotCalledEmpty) {
  auto r = testing::RunCommand(Bin() + " stats /proc/self/status");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("/proc/self/status: not an ahtrace trace"), std::string::npos) << r.err;
  TempDir dir;
  testing::WriteFile(dir.File("empty"), "");
  auto empty = testing::RunCommand(Bin() + " stats " + Quote(dir.File("empty")));
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.err.find("empty: empty file, not a trace"), std::string::npos) << empty.err;
}

// Every output that names an input is refused before anything is written.
TEST(BadInput, AnOutputThatIsTheInputIsRefused) {
  TempDir dir;
  std::string trace = WriteStream(dir, "");
  std::string before = testing::ReadFile(trace);
  for (const std::string& cmd : {" check " + Quote(trace) + " -o " + Quote(trace),
                                " replay " + Quote(trace) + " -o " + Quote(trace),
                                " graph " + Quote(trace) + " -o " + Quote(trace),
                                " convert " + Quote(dir.path()) + " -o " + Quote(dir.File("p7-t0.ahs")),
                                " export " + Quote(trace) + " -o " + Quote(trace)}) {
    auto r = testing::RunCommand(Bin() + cmd);
    EXPECT_EQ(r.exit_code, 2) << cmd << r.err;
  }
  EXPECT_EQ(testing::ReadFile(trace), before);
}

// Strings from the trace end up in terminals, XML and SVG: escape
// sequences (retitle, clear screen), bidi overrides, NUL and the code points
// XML forbids (U+FFFE, U+FFFF, C0 controls) must come out visible or
// replaced, never raw, and a NUL must not cut the report short.
TEST(BadInput, HostileStringsStayInertInEveryOutput) {
  TempDir dir;
  std::string trace = dir.File("t.ndjson");
  const std::string evil = R"(/srv/a\u001b]0;pwned\u0007b\u001b[2J\u202ec\u0000d\ufffe\uffffe\u0001.js)";
  testing::WriteFile(trace, R"({"format":"ahtrace-ndjson","version":1}
{"kind":"stream","stream":0,"pid":1,"node":"v20.20.2","cwd":"/"}
{"kind":"alsCreate","stream":0,"storage":1,"site":"/x.js:1:1"}
{"kind":"alsGetStore","stream":0,"storage":1,"store":0,"site":"/x.js:2:1"}
{"kind":"init","stream":0,"asyncId":2,"triggerAsyncId":1,"type":"Timeout","site":")" + evil + R"(:3:1"}
{"kind":"streamEnd","stream":0,"exitCode":0}
)");
  auto forbidden_in_xml = [](const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return "C0 control at byte " + std::to_string(i);
      if (s.compare(i, 3, "\xef\xbf\xbe") == 0 || s.compare(i, 3, "\xef\xbf\xbf") == 0)
        return "U+FFFE/U+FFFF at byte " + std::to_string(i);
    }
    return std::string();
  };
  auto text = testing::RunCommand(Bin() + " check --leaks " + Quote(trace));
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_EQ(text.out.find('\x1b'), std::string::npos) << "raw ESC on the terminal";
  EXPECT_EQ(text.out.find('\0'), std::string::npos) << "raw NUL";
  EXPECT_EQ(text.out.find("\xe2\x80\xae"), std::string::npos) << "raw bidi override";
  EXPECT_NE(text.out.find("\\x1b]0;pwned\\x07b\\x1b[2J\\u202ec\\x00d"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("ahtrace check: 1 finding(s) (1 leak)"), std::string::npos) << "a NUL cut the report short";
  auto junit = testing::RunCommand(Bin() + " check --leaks --format junit " + Quote(trace));
  EXPECT_EQ(junit.exit_code, 1);
  EXPECT_EQ(forbidden_in_xml(junit.out), "") << junit.out;
  EXPECT_NE(junit.out.find("</testsuites>"), std::string::npos);
  auto svg = testing::RunCommand(Bin() + " graph " + Quote(trace) + " -o " + Quote(dir.File("g.svg")));
  ASSERT_EQ(svg.exit_code, 0) << svg.err;
  std::string picture = testing::ReadFile(dir.File("g.svg"));
  EXPECT_EQ(forbidden_in_xml(picture), "");
  EXPECT_NE(picture.find("</svg>"), std::string::npos);
  auto stats = testing::RunCommand(Bin() + " stats " + Quote(trace));
  EXPECT_EQ(stats.out.find('\x1b'), std::string::npos);
}

// Thousands of streams (a test runner forking a process per file, a
// hostile trace) must cost linear time: graph asked every cluster about
// every node when writing (8,000 streams took 15 s, 200,000 never ended),
// and check looked at every stream's storages at each init (100,000
// streams: 183 s, now 3 s). The timeouts guard against a relapse into
// quadratic time; bench/ measures speed.
TEST(BadInput, ManyStreamsCostLinearTime) {
  TempDir dir;
  std::string trace = dir.File("t.ndjson");
  std::string text = R"({"format":"ahtrace-ndjson","version":1})" "\n";
  for (int s = 0; s < 20000; ++s) {
    std::string n = std::to_string(s);
    text += R"({"kind":"stream","stream":)" + n + R"(,"pid":)" + n + R"(,"node":"v20.20.2"})" "\n";
    text += R"({"kind":"alsCreate","stream":)" + n + R"(,"storage":1})" "\n";
    text += R"({"kind":"init","stream":)" + n + R"(,"asyncId":2,"triggerAsyncId":1,"type":"Timeout"})" "\n";
    text += R"({"kind":"alsGetStore","stream":)" + n + R"(,"storage":1,"store":0,"site":"/a.js:2:1"})" "\n";
    text += R"({"kind":"streamEnd","stream":)" + n + R"(,"exitCode":0})" "\n";
  }
  testing::WriteFile(trace, text);
  auto g = testing::RunCommand("timeout 60 " + Bin() + " graph --max-nodes 100000 " + Quote(trace) + " -o " +
                               Quote(dir.File("g.dot")));
  EXPECT_EQ(g.exit_code, 0) << g.err;
  auto c = testing::RunCommand("timeout 60 " + Bin() + " check --leaks " + Quote(trace));
  EXPECT_EQ(c.exit_code, 1) << c.err;
}

// Every input the fuzzers crashed on (tests/bad_inputs/fuzz/README.md says
// what each broke) goes through every reading command: each ends with a
// documented exit code, never a signal or an internal error. The
// sanitizer build (scripts/sanitize.sh) runs this too, where UB aborts.
TEST(BadInput, EveryFuzzReproducerEndsWithADocumentedExitCode) {
  TempDir dir;
  int inputs = 0;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath("tests/bad_inputs/fuzz"))) {
    std::string name = entry.path().filename().string();
    if (name == "README.md") continue;
    std::string input = entry.path().string();
    if (entry.path().extension() == ".gz") {
      input = dir.File(entry.path().stem().string());
      ASSERT_EQ(testing::RunCommand("gzip -dc " + Quote(entry.path().string()) + " > " + Quote(input)).exit_code, 0);
    }
    ++inputs;
    for (const auto& cmd : ReadingCommands(dir, input)) {
      auto r = testing::RunCommand("timeout 60 " + cmd);
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 3 || r.exit_code == 6)
          << name << ": " << cmd << " exited " << r.exit_code << "\n" << r.err;
    }
  }
  EXPECT_GE(inputs, 9);
}

}  // namespace
}  // namespace ahtrace
