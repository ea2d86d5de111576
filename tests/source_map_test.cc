// Source maps: a program compiled from TypeScript is recorded at the
// original `file.ts:line:column` (lib/record/preload.js, "source maps").
//
// The decoder (base64 VLQ, sources against sourceRoot and the map's
// directory, sourcesContent) is JavaScript inside the recorder, so its unit
// tests record small programs with maps this file writes (its own VLQ
// encoder) and read the sites back. The end-to-end tests compile a
// TypeScript program with the real tsc (scripts/install-ts.sh; the path in
// AHTRACE_TEST_TSC, set by scripts/test.sh) and check check, replay and
// graph.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace ahtrace {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using testing::Quote;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

// One base64 VLQ number, as source map v3 writes it.
std::string Vlq(int v) {
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned u = v < 0 ? (static_cast<unsigned>(-v) << 1) | 1u : static_cast<unsigned>(v) << 1;
  std::string out;
  do {
    unsigned digit = u & 31u;
    u >>= 5;
    if (u) digit |= 32u;
    out += kDigits[digit];
  } while (u);
  return out;
}

// A segment: generated column; then source, line, column (0-based), or
// source -1 for a one-field segment.
struct Seg {
  int gcol, src, line, col;
};
// `mappings` for the given lines (fields relative as the format wants).
std::string Mappings(const std::vector<std::vector<Seg>>& lines) {
  std::string out;
  int src = 0, line = 0, col = 0;
  for (size_t l = 0; l < lines.size(); ++l) {
    if (l) out += ';';
    int gcol = 0;
    for (size_t s = 0; s < lines[l].size(); ++s) {
      const Seg& g = lines[l][s];
      if (s) out += ',';
      out += Vlq(g.gcol - gcol);
      gcol = g.gcol;
      if (g.src < 0) continue;
      out += Vlq(g.src - src) + Vlq(g.line - line) + Vlq(g.col - col);
      src = g.src, line = g.line, col = g.col;
    }
  }
  return out;
}

std::string Base64(const std::string& in) {
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kDigits[(v >> k) & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += std::string{kDigits[(v >> 18) & 63], kDigits[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += std::string{kDigits[(v >> 18) & 63], kDigits[(v >> 12) & 63], kDigits[(v >> 6) & 63], '='};
  }
  return out;
}

// Records `program` from `dir`; the replay database's store reads as
// `site|callers` rows in order.
std::string RecordReads(const TempDir& dir, const std::string& program, const std::string& flags = "") {
  std::string trace = dir.File("t.trace"), db = dir.File("t.db");
  fs::remove_all(trace);
  fs::remove(db);
  auto r = testing::RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record " + flags + " -o " +
                               Quote(trace) + " -- node " + Quote(program));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  testing::ReplayInto(trace, db);
  return testing::QueryRows(db, "SELECT site FROM store_read ORDER BY seq");
}

// The generated program: two reads on lines 4 and 5, called from line 6.
const char* kGenerated =
    "'use strict';\n"
    "const { AsyncLocalStorage } = require('async_hooks');\n"
    "const als = new AsyncLocalStorage();\n"
    "function a() { return als.getStore(); }\n"
    "function b() { return als.getStore(); }\n"
    "als.run(1, () => { a(); b(); });\n";

int GetStoreColumn(int line) {  // 0-based column of `getStore` on a line of kGenerated
  std::string text = kGenerated;
  size_t at = 0;
  for (int l = 1; l < line; ++l) at = text.find('\n', at) + 1;
  return static_cast<int>(text.find("getStore", at) - at);
}

// Line 4: a segment at column 0 into x.ts, and the read's own segment with
// numbers of several VLQ digits. Line 5: back up into y.ts (negative
// deltas). Line 6: a one-field segment (maps to nothing).
std::string MapJson(const std::string& source_root, bool with_content) {
  int c4 = GetStoreColumn(4), c5 = GetStoreColumn(5);
  std::string mappings = Mappings({{},
                                   {},
                                   {},
                                   {{0, 0, 999, 0}, {c4, 0, 1233, 77}},
                                   {{0, 0, 10, 5}, {c5, 1, 2, 0}},
                                   {{0, -1, 0, 0}}});
  json map = {{"version", 3}, {"file", "gen.js"}, {"sources", {"x.ts", "y.ts"}}, {"mappings", mappings}};
  if (!source_root.empty()) map["sourceRoot"] = source_root;
  if (with_content) map["sourcesContent"] = {"// x.ts from the map\n", nullptr};
  return map.dump();
}

TEST(SourceMapDecoder, MapFileWithSourceRootMultiDigitAndNegativeDeltas) {
  TempDir dir;
  fs::create_directories(dir.File("out"));
  testing::WriteFile(dir.File("out/gen.js"), std::string(kGenerated) + "//# sourceMappingURL=gen.js.map\n");
  testing::WriteFile(dir.File("out/gen.js.map"), MapJson("../src", true));
  fs::create_directories(dir.File("src"));
  testing::WriteFile(dir.File("src/y.ts"), "// y.ts on disk\n");
  std::string src = fs::canonical(dir.path()).string() + "/src/";
  EXPECT_EQ(RecordReads(dir, dir.File("out/gen.js")),
            src + "x.ts:1234:78\n" + src + "y.ts:3:1\n");
  // The sources' text: x.ts from sourcesContent, y.ts (none there) from disk.
  auto t = testing::ReadAll(dir.File("t.trace"));
  EXPECT_EQ(t.reader->SourceText(src + "x.ts"), "// x.ts from the map\n");
  EXPECT_EQ(t.reader->SourceText(src + "y.ts"), "// y.ts on disk\n");
  // The caller on line 6 is unmapped (see below): the JavaScript is there too.
  EXPECT_NE(t.reader->SourceText(dir.File("out/gen.js")).find("als.run(1"), std::string::npos);
}

TEST(SourceMapDecoder, InlineBase64Map) {
  TempDir dir;
  testing::WriteFile(dir.File("gen.js"), std::string(kGenerated) +
                                             "//# sourceMappingURL=data:application/json;charset=utf-8;base64," +
                                             Base64(MapJson("", false)) + "\n");
  std::string d = fs::canonical(dir.path()).string();
  EXPECT_EQ(RecordReads(dir, dir.File("gen.js")), d + "/x.ts:1234:78\n" + d + "/y.ts:3:1\n");
}

// The callers of a read: a caller on a line the map leaves unmapped (a
// one-field segment) keeps its JavaScript position.
TEST(SourceMapDecoder, UnmappedPositionKeepsTheJavaScript) {
  TempDir dir;
  testing::WriteFile(dir.File("gen.js"), std::string(kGenerated) + "//# sourceMappingURL=gen.js.map\n");
  testing::WriteFile(dir.File("gen.js.map"), MapJson("", false));
  RecordReads(dir, dir.File("gen.js"));
  std::string callers;
  for (const Event& e : testing::ReadAll(dir.File("t.trace")).events) callers += std::string(e.callers) + "|";
  std::string d = fs::canonical(dir.path()).string();
  EXPECT_NE(callers.find(d + "/gen.js:6:20@"), std::string::npos) << callers;
}

// A map the decoder must refuse (a character outside base64, a two-field
// segment, a source index out of range, a number too long): every site
// stays at the JavaScript, and so does --no-source-maps with a good map.
TEST(SourceMapDecoder, MalformedMapsAndNoSourceMapsKeepTheJavaScript) {
  TempDir dir;
  std::string d = fs::canonical(dir.path()).string();
  std::string plain = d + "/gen.js:4:" + std::to_string(GetStoreColumn(4) + 1) + "\n" + d + "/gen.js:5:" +
                      std::to_string(GetStoreColumn(5) + 1) + "\n";
  testing::WriteFile(dir.File("gen.js"), std::string(kGenerated) + "//# sourceMappingURL=gen.js.map\n");
  for (const std::string& bad : {std::string(";;;AAAA!;"), std::string(";;;AA;"), std::string(";;;ACAA;"),
                                 std::string(";;;A+++++++A;")}) {
    json map = {{"version", 3}, {"sources", {"x.ts"}}, {"mappings", bad}};
    testing::WriteFile(dir.File("gen.js.map"), map.dump());
    EXPECT_EQ(RecordReads(dir, dir.File("gen.js")), plain) << bad;
  }
  testing::WriteFile(dir.File("gen.js.map"), MapJson("", false));
  EXPECT_EQ(RecordReads(dir, dir.File("gen.js"), "--no-source-maps"), plain);
  // The same map that this test's other runs use is read (not a pass by accident).
  EXPECT_NE(RecordReads(dir, dir.File("gen.js")), plain);
}

// ---- the real compiler --------------------------------------------------------

// A compiler the test setup installed: the path in `env`, or "".
std::string Tool(const char* env) {
  const char* path = std::getenv(env);
  return path && *path && fs::exists(path) ? path : "";
}

class TypeScriptProgram : public ::testing::Test {
 protected:
  void SetUp() override {
    tsc_ = Tool("AHTRACE_TEST_TSC");
    if (tsc_.empty())
      GTEST_SKIP() << "AHTRACE_TEST_TSC is not set to a tsc (scripts/install-ts.sh installs one; scripts/test.sh "
                      "sets it)";
    // The program's sources are copied so that a variant can delete them.
    src_ = fs::canonical(dir_.path()).string() + "/src";
    fs::create_directories(src_);
    for (const char* f : {"app.ts", "queue.ts", "node-shim.d.ts", "tsconfig.json"})
      fs::copy_file(testing::SourcePath(std::string("tests/typescript/job-queue/") + f), src_ + "/" + f);
  }
  // Compiles src/ into dir/<out> with extra tsc flags; returns app.js's path.
  std::string Compile(const std::string& out, const std::string& flags) {
    auto r = testing::RunCommand("node " + Quote(tsc_) + " -p " + Quote(src_) + " --outDir " +
                                 Quote(dir_.File(out)) + " " + flags);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return dir_.File(out + "/app.js");
  }
  json Check(const std::string& trace) {
    auto r = testing::RunCommand(Bin() + " check --format json " + Quote(trace));
    EXPECT_EQ(r.exit_code, 1) << r.err;  // a finding
    return json::parse(r.out, nullptr, false);
  }
  std::string Record(const std::string& program, const std::string& name) {
    std::string trace = dir_.File(name);
    auto r = testing::RunCommand("cd " + Quote(dir_.path()) + " && " + Bin() + " record -o " + Quote(trace) +
                                 " -- node " + Quote(program));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("STORE queue-job-1 undefined"), std::string::npos) << r.out;
    return trace;
  }
  // The lost read: `getStore()` in show() (app.ts line 14), called from the
  // job enqueued at line 22, run by the interval queue.ts starts at line 17.
  void ExpectTypeScriptPositions(const std::string& trace) {
    json report = Check(trace);
    ASSERT_TRUE(report.is_object());
    ASSERT_EQ(report["findings"].size(), 1u) << report.dump(2);
    const json& f = report["findings"][0];
    EXPECT_EQ(f["rule"], "context-lost");
    EXPECT_EQ(f["location"]["file"], "src/app.ts");  // relative to the working directory
    EXPECT_EQ(f["location"]["line"], 14);
    EXPECT_EQ(f["location"]["column"], 47);
    EXPECT_EQ(f["breakLocation"]["file"], "src/queue.ts");
    EXPECT_EQ(f["breakLocation"]["line"], 17);
    EXPECT_NE(f["title"].get<std::string>().find("app.ts:22:27"), std::string::npos) << f["title"];
    // check tells the job is written inside run()'s callback from the .ts text.
    EXPECT_NE(f.dump().find("app.ts:22:13 is written inside the callback passed to run() at line 20"),
              std::string::npos)
        << f.dump(2);

    std::string db = trace + ".db";
    testing::ReplayInto(trace, db);
    EXPECT_EQ(testing::QueryRows(db, "SELECT DISTINCT site FROM store_read ORDER BY site"),
              src_ + "/app.ts:14:47\n");
    EXPECT_EQ(testing::QueryRows(db, "SELECT site FROM resource WHERE type = 'Timeout' ORDER BY resource_id LIMIT 1"),
              src_ + "/queue.ts:17:47\n");
    EXPECT_EQ(testing::QueryRows(db, "SELECT count(*) FROM resource WHERE site LIKE '%.js:%'"), "0\n");

    auto g = testing::RunCommand(Bin() + " graph " + Quote(trace));
    EXPECT_EQ(g.exit_code, 0) << g.err;
    EXPECT_NE(g.out.find("queue.ts:17:47"), std::string::npos) << g.out;
    EXPECT_EQ(g.out.find("queue.js:"), std::string::npos) << g.out;
  }

  TempDir dir_;
  std::string tsc_, src_;
};

TEST_F(TypeScriptProgram, MapFilesNextToTheJavaScript) {
  std::string app = Compile("out", "--sourceMap");
  ASSERT_TRUE(fs::exists(dir_.File("out/app.js.map")));
  std::string trace = Record(app, "t.trace");
  ExpectTypeScriptPositions(trace);
  // The trace holds the TypeScript text (from disk: tsc wrote no sourcesContent).
  auto t = testing::ReadAll(trace);
  EXPECT_NE(t.reader->SourceText(src_ + "/app.ts").find("interface RequestContext"), std::string::npos);
}

TEST_F(TypeScriptProgram, InlineMapsWithSourcesAfterTheSourcesAreGone) {
  std::string app = Compile("out", "--sourceMap false --inlineSourceMap --inlineSources");
  for (const char* f : {"app.ts", "queue.ts"}) fs::remove(src_ + "/" + f);
  std::string trace = Record(app, "t.trace");
  ExpectTypeScriptPositions(trace);
  auto t = testing::ReadAll(trace);
  EXPECT_NE(t.reader->SourceText(src_ + "/app.ts").find("interface RequestContext"), std::string::npos);
}

// A bundle: esbuild puts app.ts and queue.ts into one file with one inline
// map of two sources; each frame names its own.
TEST_F(TypeScriptProgram, EsbuildBundleOfTwoSources) {
  std::string esbuild = Tool("AHTRACE_TEST_ESBUILD");
  if (esbuild.empty())
    GTEST_SKIP() << "AHTRACE_TEST_ESBUILD is not set to an esbuild (scripts/test.sh installs one with "
                    "scripts/install-npm.sh)";
  std::string bundle = dir_.File("out/bundle.js");
  auto r = testing::RunCommand(Quote(esbuild) + " " + Quote(src_ + "/app.ts") +
                               " --bundle --platform=node --format=cjs --sourcemap=inline --outfile=" + Quote(bundle));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ExpectTypeScriptPositions(Record(bundle, "t.trace"));
}

// An ES module (frames named by file:// URLs, not instrumented): mapped
// the same way.
TEST_F(TypeScriptProgram, EsModules) {
  std::string app = Compile("out", "--sourceMap --module es2022 --moduleResolution bundler");
  testing::WriteFile(dir_.File("out/package.json"), "{\"type\": \"module\"}\n");
  std::string trace = Record(app, "t.trace");
  json report = Check(trace);
  ASSERT_EQ(report["findings"].size(), 1u) << report.dump(2);
  EXPECT_EQ(report["findings"][0]["location"]["file"], "src/app.ts");
  EXPECT_EQ(report["findings"][0]["location"]["line"], 14);
  EXPECT_EQ(report["findings"][0]["location"]["column"], 47);
  EXPECT_EQ(report["findings"][0]["breakLocation"]["file"], "src/queue.ts");
}

// Without a map nothing changes: the same program compiled without one is
// recorded at the JavaScript tsc wrote.
TEST_F(TypeScriptProgram, WithoutMapsTheJavaScriptPositions) {
  std::string app = Compile("out", "--sourceMap false");
  std::string trace = Record(app, "t.trace");
  json report = Check(trace);
  ASSERT_EQ(report["findings"].size(), 1u);
  EXPECT_EQ(report["findings"][0]["location"]["file"], "out/app.js");
  EXPECT_EQ(report["findings"][0]["location"]["line"], 9);
}

}  // namespace
}  // namespace ahtrace
