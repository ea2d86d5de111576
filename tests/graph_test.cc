// Graph export: untrusted strings come out escaped, filters do what they
// say, and rendering produces real SVG and PNG files.
#include <gtest/gtest.h>

#include "graph/graph.h"
#include "tests/test_util.h"
#include "trace/binary_writer.h"

namespace ahtrace {
namespace {
using testing::Quote;
using testing::TempDir;

// A trace whose type names and sites try to break DOT and Graphviz's
// label escapes.
std::string HostileTrace(const TempDir& dir) {
  std::string path = dir.File("p1-t0.ahs");
  BinaryStreamWriter w;
  EXPECT_TRUE(w.Open(path, R"({"format":"ahtrace-stream","version":1,"pid":1,"threadId":0,"node":"v20.20.2","timeOrigin":0})").ok());
  const char* types[] = {"Evil\"Type", "new\nline", "<b>html</b> & \\N \\G \\L", "caf\xc3\xa9 \xe2\x9c\x93",
                         "bad\xff\xfeutf8"};
  int64_t id = 2;
  for (const char* t : types) {
    Event e;
    e.kind = EventKind::kInit;
    e.async_id = AsyncId(id);
    e.trigger_id = AsyncId(id == 2 ? 1 : id - 1);
    e.type = t;
    e.site = "/tmp/we\"ird\\path.js:1:2";
    e.observed = false;
    w.Write(e, 1.0);
    ++id;
  }
  EXPECT_TRUE(w.Close().ok());
  return dir.path();
}

TEST(Graph, UntrustedStringsAreEscaped) {
  TempDir dir;
  std::string trace = HostileTrace(dir);
  auto r = testing::RunCommand(Quote(testing::AhtraceBin()) + " graph " + Quote(trace) + " -o " + Quote(dir.File("g.dot")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string dot = testing::ReadFile(dir.File("g.dot"));
  EXPECT_NE(dot.find(R"(label="Evil\"Type 2)"), std::string::npos) << dot;
  EXPECT_NE(dot.find(R"(label="new line 3)"), std::string::npos) << "a raw newline becomes a space";
  EXPECT_NE(dot.find(R"(<b>html</b> & \\N \\G \\L 4)"), std::string::npos) << "backslash escapes neutralised";
  EXPECT_NE(dot.find("caf\xc3\xa9 \xe2\x9c\x93 5"), std::string::npos) << "UTF-8 kept";
  EXPECT_NE(dot.find("bad\xef\xbf\xbd\xef\xbf\xbdutf8 6"), std::string::npos) << "invalid UTF-8 replaced";
  // Graphviz itself must accept it.
  auto svg = testing::RunCommand("dot -Tsvg " + Quote(dir.File("g.dot")) + " -o " + Quote(dir.File("g.svg")));
  EXPECT_EQ(svg.exit_code, 0) << svg.err;
}

TEST(Graph, RendersValidSvgAndPng) {
  TempDir dir;
  std::string trace = testing::SourcePath("samples/http-als/trace");
  std::string bin = Quote(testing::AhtraceBin());
  ASSERT_EQ(testing::RunCommand(bin + " graph " + Quote(trace) + " --fold ticks -o " + Quote(dir.File("g.svg"))).exit_code, 0);
  std::string svg = testing::ReadFile(dir.File("g.svg"));
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("HTTPINCOMINGMESSAGE"), std::string::npos);
  auto xml = testing::RunCommand("python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' " +
                                 Quote(dir.File("g.svg")));
  EXPECT_EQ(xml.exit_code, 0) << xml.err;
  ASSERT_EQ(testing::RunCommand(bin + " graph " + Quote(trace) + " --kind execution -o " + Quote(dir.File("g.png"))).exit_code, 0);
  std::string png = testing::ReadFile(dir.File("g.png"));
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

// Builds the selected graph of a sample with the given options.
graph::SelectedGraph Select(const std::string& sample, const graph::GraphOptions& options, Status* status) {
  Status st;
  auto reader = OpenTrace(testing::SourcePath(sample), &st);
  EXPECT_TRUE(reader);
  static graph::GraphCollector* keep = nullptr;  // nodes must outlive the selection
  delete keep;
  keep = new graph::GraphCollector;
  ReplaySummary summary;
  EXPECT_TRUE(Replay(*reader, keep, nullptr, &summary).ok());
  graph::SelectedGraph sel;
  *status = graph::SelectGraph(*keep, reader->streams(), options, &sel);
  return sel;
}

TEST(Graph, RootAndDepthKeepTheSubtree) {
  graph::GraphOptions o;
  o.root = 5;  // timers sample: the first setTimeout
  o.depth = 1;
  Status st;
  auto sel = Select("samples/timers/trace", o, &st);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_FALSE(sel.nodes.empty());
  EXPECT_EQ(sel.nodes[0]->async_id, 5);
  for (const auto* n : sel.nodes)
    if (n->async_id != 5) {
      EXPECT_EQ(sel.nodes[0]->key, sel.parent.at(n->key)) << "depth 1: children only";
    }
  EXPECT_EQ(sel.nodes.size(), 3u);  // Timeout 5, its TickObject 12 and Timeout 13
}

TEST(Graph, FoldingTicksReattachesTheirChildren) {
  graph::GraphOptions o;
  o.fold_ticks = true;
  Status st;
  auto sel = Select("samples/timers/trace", o, &st);
  ASSERT_TRUE(st.ok());
  for (const auto* n : sel.nodes) EXPECT_NE(n->type, "TickObject");
  // TickObjects that had TickObject children (a nextTick inside a
  // nextTick): with both folded, nothing is orphaned: every non-root node
  // still has a parent.
  size_t roots = 0;
  for (const auto* n : sel.nodes) roots += !sel.parent.count(n->key);
  EXPECT_EQ(roots, 1u);
}

TEST(Graph, AmbiguousRootAcrossThreadsAsksForAThread) {
  graph::GraphOptions o;
  o.root = 7;  // exists in the main thread and in the worker
  Status st;
  Select("samples/worker/trace", o, &st);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("choose one with --pid and --thread"), std::string::npos) << st.message();
  o.thread = 1;
  Select("samples/worker/trace", o, &st);
  EXPECT_TRUE(st.ok()) << st.message();
}

}  // namespace
}  // namespace ahtrace

namespace ahtrace {
namespace {

TEST(Graph, HighlightsWhereCheckFoundTheContextLost) {
  testing::TempDir dir;
  auto r = testing::RunCommand(testing::Quote(testing::AhtraceBin()) + " graph " +
                               testing::Quote(testing::SourcePath("samples/job-queue-lost/trace")) +
                               " --kind execution -o " + testing::Quote(dir.File("g.dot")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string dot = testing::ReadFile(dir.File("g.dot"));
  // The drain interval: the jobs read undefined there, and it is where the
  // store disappeared (created at start-up without it).
  size_t timeout = dot.find("label=\"Timeout 5\\njob-queue-lost/app.js:18:15\\ncontext lost here\\nstore disappears here\"");
  EXPECT_NE(timeout, std::string::npos) << dot;
  EXPECT_NE(dot.find("color=darkorange"), std::string::npos);
}

}  // namespace
}  // namespace ahtrace
