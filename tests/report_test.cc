// The HTML report (`ahtrace report`, `check --format html`): what a CI job
// publishes. Written by the real binary, then opened in a real headless
// browser (Debian's chromium, installed by scripts/install-packages.sh):
// the screenshot must show each part where the page puts it, and the DOM
// the browser built must hold no element a hostile trace tried to add.
#include <gtest/gtest.h>
#include <png.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "common/html.h"
#include "model/replay.h"
#include "report/html_report.h"
#include "tests/test_util.h"

namespace ahtrace {
namespace {
using testing::Quote;
using testing::TempDir;

std::string Bin() { return Quote(testing::AhtraceBin()); }

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

TEST(HtmlEscape, HostileStringsBecomeInertVisibleText) {
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("a\"b'c&d"), "a&quot;b&#39;c&amp;d") << "safe inside either kind of quoted attribute";
  EXPECT_EQ(HtmlEscape("&lt;"), "&amp;lt;") << "no double meaning: an entity in the trace stays text";
  EXPECT_EQ(HtmlEscape(std::string("nul\0here", 8)), "nul\\x00here");
  EXPECT_EQ(HtmlEscape("user\xe2\x80\xae" "txt.exe"), "user\\u202etxt.exe") << "a bidi override is shown, not obeyed";
  EXPECT_EQ(HtmlEscape("\xe2\x81\xa6isolate\xe2\x81\xa9"), "\\u2066isolate\\u2069");
  EXPECT_EQ(HtmlEscape("line\nbreak\tand tab"), "line\\x0abreak\tand tab");
  EXPECT_EQ(HtmlEscape("bad\xff\xfe" "utf8"), "bad\xef\xbf\xbd\xef\xbf\xbdutf8");
  EXPECT_EQ(HtmlEscape("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93") << "real text is kept";
}

// The timeline keeps a fixed number of buckets per thread whatever the
// number of callbacks, and loses no time on the way: each bucket's time,
// summed, is the time the thread spent in callbacks (outermost before to
// after; a nested callback's time moves to it, it is not added twice).
TEST(Timeline, BoundedBucketsHoldEveryCallbacksTime) {
  std::string trace = testing::SourcePath("samples/http-als/trace");
  auto all = testing::ReadAll(trace);
  ASSERT_TRUE(all.status.ok());
  std::map<uint32_t, int64_t> expected_ns;
  std::map<uint32_t, uint64_t> befores;
  std::map<uint32_t, std::vector<int64_t>> open;
  for (const Event& e : all.events) {
    if (e.kind == EventKind::kBefore) {
      ++befores[e.stream];
      open[e.stream].push_back(e.ts_ns);
    } else if (e.kind == EventKind::kAfter && !open[e.stream].empty()) {
      int64_t began = open[e.stream].back();
      open[e.stream].pop_back();
      if (open[e.stream].empty()) expected_ns[e.stream] += e.ts_ns - began;
    }
  }
  Status st;
  auto reader = OpenTrace(trace, &st);
  ASSERT_TRUE(reader);
  report::TimelineCollector timeline;
  ReplaySummary summary;
  ASSERT_TRUE(Replay(*reader, &timeline, nullptr, &summary).ok());
  ASSERT_FALSE(timeline.rows().empty());
  for (const auto& [stream, row] : timeline.rows()) {
    EXPECT_LE(row.buckets.size(), report::TimelineCollector::kFineBuckets);
    EXPECT_EQ(row.callbacks, befores[stream]);
    int64_t total = 0;
    for (const auto& b : row.buckets)
      for (const auto& t : b.time) total += t.ns;
    EXPECT_EQ(total, expected_ns[stream]) << "stream " << stream;
  }
}

// --- the page, from the real binary -------------------------------------

std::string Sample(const std::string& name) { return testing::SourcePath("samples/" + name + "/trace"); }

TEST(Report, SamePageFromReportAndCheckAndByteIdenticalAcrossRuns) {
  TempDir dir;
  std::string trace = Quote(Sample("job-queue-lost"));
  auto a = testing::RunCommand(Bin() + " report " + trace + " -o " + Quote(dir.File("a.html")));
  auto b = testing::RunCommand(Bin() + " report " + trace + " -o " + Quote(dir.File("b.html")));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string page = testing::ReadFile(dir.File("a.html"));
  EXPECT_EQ(page, testing::ReadFile(dir.File("b.html")));
  // check --format html renders the same page and keeps check's exit code.
  auto c = testing::RunCommand(Bin() + " check --format html " + trace + " -o " + Quote(dir.File("c.html")));
  EXPECT_EQ(c.exit_code, 1) << c.err;
  EXPECT_EQ(page, testing::ReadFile(dir.File("c.html")));
  auto to_stdout = testing::RunCommand(Bin() + " check --format html " + trace);
  EXPECT_EQ(to_stdout.exit_code, 1);
  EXPECT_EQ(to_stdout.out, page);

  EXPECT_NE(page.find("<header class=\"verdict findings\" id=\"verdict\">\n<h1>1 finding</h1>"), std::string::npos);
  EXPECT_NE(page.find("getStore() returned undefined (called from app.js:30:19)"), std::string::npos);
  EXPECT_NE(page.find("<dt>called from</dt><dd class=\"mono\">app.js:30:19</dd>"), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"focus\"><td class=\"n\">8</td><td>  const v = als.getStore();</td></tr>"),
            std::string::npos)
      << "the source line from the trace's own source record";
  EXPECT_NE(page.find("<li>Timeout 5 (app.js:18:15)</li>"), std::string::npos);
  EXPECT_EQ(Count(page, "src=\"data:image/svg+xml;base64,"), 1u) << "one chain picture";
  EXPECT_NE(page.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""), std::string::npos);
  EXPECT_NE(page.find("pid 17808 main, store 1: { requestId: 1 }"), std::string::npos) << "legend names stores";
  EXPECT_NE(page.find("<h2>Leaked handles (0)</h2>"), std::string::npos);
  // Self-contained: nothing is fetched when the page is viewed.
  EXPECT_NE(page.find("default-src 'none'; img-src data:;"), std::string::npos);
  for (const char* fetch : {"http://", "https://", "src=\"/", "href="}) {
    std::string without_svg_ns = page;
    for (size_t at; (at = without_svg_ns.find("http://www.w3.org/2000/svg")) != std::string::npos;)
      without_svg_ns.erase(at, 26);
    EXPECT_EQ(without_svg_ns.find(fetch), std::string::npos) << fetch;
  }
}

TEST(Report, CleanTraceAndCannotJudgeSayWhatTheyAre) {
  TempDir dir;
  auto clean = testing::RunCommand(Bin() + " check --format html " + Quote(Sample("job-queue-fixed")) + " -o " +
                                   Quote(dir.File("clean.html")));
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  std::string page = testing::ReadFile(dir.File("clean.html"));
  EXPECT_NE(page.find("<header class=\"verdict clean\" id=\"verdict\">\n<h1>Clean</h1>"), std::string::npos);
  EXPECT_NE(page.find("<p>No finding.</p>"), std::string::npos);
  // A program without AsyncLocalStorage: check exits 6, and so does its
  // html format; `report` writes the page and exits 0.
  testing::WriteFile(dir.File("timer.js"), "setTimeout(() => {}, 1);\n");
  std::string timer_trace = dir.File("timer.trace");
  auto rec = testing::RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o " + Quote(timer_trace) +
                                 " -- node timer.js");
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  auto blind = testing::RunCommand(Bin() + " check --format html " + Quote(timer_trace) + " -o " +
                                   Quote(dir.File("blind.html")));
  EXPECT_EQ(blind.exit_code, 6) << blind.err;
  std::string blind_page = testing::ReadFile(dir.File("blind.html"));
  EXPECT_NE(blind_page.find("<h1>Cannot judge</h1>"), std::string::npos);
  EXPECT_NE(blind_page.find("no AsyncLocalStorage was used"), std::string::npos);
  EXPECT_EQ(testing::RunCommand(Bin() + " report " + Quote(timer_trace) + " -o " + Quote(dir.File("r.html")))
                .exit_code,
            0);
}

TEST(Report, LeaksAreListedAndCountOnlyWhenAsked) {
  TempDir dir;
  testing::WriteFile(dir.File("leak.js"), "setInterval(() => {}, 1000);\nsetTimeout(() => process.exit(0), 20);\n");
  std::string trace = dir.File("leak.trace");
  auto rec = testing::RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o " + Quote(trace) +
                                 " -- node leak.js");
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  auto r = testing::RunCommand(Bin() + " report " + Quote(trace) + " -o " + Quote(dir.File("r.html")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string page = testing::ReadFile(dir.File("r.html"));
  EXPECT_NE(page.find("<h2>Leaked handles (1)</h2>"), std::string::npos) << page;
  EXPECT_NE(page.find("<td class=\"mono\">leak.js:1:1</td>"), std::string::npos);
  EXPECT_NE(page.find("Listed here only"), std::string::npos);
  ASSERT_EQ(testing::RunCommand(Bin() + " report --leaks " + Quote(trace) + " -o " + Quote(dir.File("l.html"))).exit_code, 0);
  std::string counted = testing::ReadFile(dir.File("l.html"));
  EXPECT_NE(counted.find("<h1>1 finding</h1>"), std::string::npos);
  EXPECT_NE(counted.find("They count as findings"), std::string::npos);
}

TEST(Report, BadInputAndOutputOverTheInputAreRefused) {
  TempDir dir;
  testing::WriteFile(dir.File("notes.txt"), "not a trace\n");
  auto bad = testing::RunCommand(Bin() + " report " + Quote(dir.File("notes.txt")) + " -o " + Quote(dir.File("r.html")));
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("notes.txt: not an ahtrace trace"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("r.html"))) << "nothing written on failure";
  auto same = testing::RunCommand(Bin() + " report " + Quote(dir.File("notes.txt")) + " -o " + Quote(dir.File("notes.txt")));
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("is the input trace"), std::string::npos) << same.err;
  EXPECT_EQ(testing::ReadFile(dir.File("notes.txt")), "not a trace\n");
  auto no_output = testing::RunCommand(Bin() + " report " + Quote(dir.File("notes.txt")));
  EXPECT_EQ(no_output.exit_code, 2) << "-o is required";
  auto unwritable = testing::RunCommand(Bin() + " report " + Quote(Sample("job-queue-lost")) + " -o " +
                                        Quote(dir.File("no/such/dir/r.html")));
  EXPECT_EQ(unwritable.exit_code, 4) << unwritable.err;
}

// --- in a real browser ---------------------------------------------------

std::string Chromium() {
  for (const char* candidate : {"chromium", "chromium-headless-shell", "google-chrome"})
    if (testing::RunCommand(std::string("command -v ") + candidate).exit_code == 0) return candidate;
  return {};
}

// Runs headless chromium on `html` with its own profile (ctest runs tests
// in parallel), either screenshotting it or dumping the DOM after scripts.
testing::CommandResult Browse(const std::string& browser, const TempDir& dir, const std::string& html,
                              const std::string& what) {
  return testing::RunCommand(Quote(browser) + " --headless --no-sandbox --disable-gpu --hide-scrollbars " +
                             "--user-data-dir=" + Quote(dir.File("profile")) + " " + what + " " +
                             Quote("file://" + html));
}

struct Pixels {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;
  bool Load(const std::string& path) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path.c_str())) return false;
    image.format = PNG_FORMAT_RGB;
    rgb.resize(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr)) return false;
    width = static_cast<int>(image.width);
    height = static_cast<int>(image.height);
    return true;
  }
};

// Where a solid colour was drawn: the bounding box of the pixels within
// 3 per channel of it (edges are antialiased; the inside of a CSS border
// or fill is exact), and how many there are.
struct Box {
  int x0 = INT32_MAX, y0 = INT32_MAX, x1 = -1, y1 = -1;
  long pixels = 0;
  bool Contains(const Box& b) const { return b.pixels && b.x0 >= x0 && b.x1 <= x1 && b.y0 >= y0 && b.y1 <= y1; }
};
Box Find(const Pixels& p, const std::string& hex, const Box* within = nullptr) {
  unsigned r, g, b;
  std::sscanf(hex.c_str(), "#%02x%02x%02x", &r, &g, &b);
  Box box;
  int x_from = within ? within->x0 : 0, x_to = within ? within->x1 : p.width - 1;
  int y_from = within ? within->y0 : 0, y_to = within ? within->y1 : p.height - 1;
  for (int y = y_from; y <= y_to; ++y)
    for (int x = x_from; x <= x_to; ++x) {
      const unsigned char* px = &p.rgb[(static_cast<size_t>(y) * p.width + x) * 3];
      if (std::abs(px[0] - static_cast<int>(r)) > 3 || std::abs(px[1] - static_cast<int>(g)) > 3 ||
          std::abs(px[2] - static_cast<int>(b)) > 3)
        continue;
      box.x0 = std::min(box.x0, x), box.x1 = std::max(box.x1, x);
      box.y0 = std::min(box.y0, y), box.y1 = std::max(box.y1, y);
      ++box.pixels;
    }
  return box;
}
std::ostream& operator<<(std::ostream& os, const Box& b) {
  return os << "[" << b.x0 << "," << b.y0 << " - " << b.x1 << "," << b.y1 << "] " << b.pixels << " px";
}

// The decision: each part of the page is drawn, in its colour, where the
// page says it is: the verdict banner across the top; the finding card
// below it; the chain picture inside the card, with Graphviz's own drawing
// in it (the orange outline of the resource where the store disappeared:
// proof that the SVG image decoded, not just that its frame is there); the
// timeline below the card, with bars in the store colours; the leaks below
// that. Colours, not text, because fonts differ from machine to machine
// while a CSS colour is drawn exactly.
TEST(ReportInBrowser, ScreenshotShowsVerdictFindingChainTimelineAndLeaks) {
  std::string browser = Chromium();
  if (browser.empty()) GTEST_SKIP() << "no chromium on PATH (scripts/install-packages.sh installs Debian's)";
  TempDir dir;
  std::string html = dir.File("report.html");
  auto r = testing::RunCommand(Bin() + " report " + Quote(Sample("job-queue-lost")) + " -o " + Quote(html));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto shot = Browse(browser, dir, html, "--screenshot=" + Quote(dir.File("shot.png")) + " --window-size=1280,2000");
  Pixels p;
  ASSERT_TRUE(p.Load(dir.File("shot.png"))) << shot.err;
  ASSERT_EQ(p.width, 1280);

  Box verdict = Find(p, report::kVerdictFindingsColour);
  EXPECT_EQ(verdict.y0, 0) << verdict;
  EXPECT_GT(verdict.x1 - verdict.x0, 1200) << "a banner across the page " << verdict;
  EXPECT_GT(verdict.y1, 60) << verdict;
  EXPECT_EQ(Find(p, report::kVerdictCleanColour).pixels, 0);

  Box card = Find(p, report::kFindingStripeColour);
  EXPECT_GT(card.y0, verdict.y1) << card;
  EXPECT_GT(card.y1 - card.y0, 300) << "the finding is open: source, chain, details " << card;

  Box chain = Find(p, report::kChainFrameColour);
  EXPECT_GT(chain.x0, card.x1) << chain;
  EXPECT_TRUE(card.y0 < chain.y0 && chain.y1 < card.y1) << "the picture is inside the card " << chain << card;
  Box outline = Find(p, "#ff8c00", &chain);  // Graphviz's darkorange: the store disappears here
  EXPECT_GT(outline.pixels, 100) << outline;
  EXPECT_TRUE(chain.Contains(outline));

  Box timeline = Find(p, report::kTimelineFrameColour);
  EXPECT_GT(timeline.y0, card.y1) << timeline;
  EXPECT_GT(Find(p, "#c8c8c8", &timeline).pixels, 20) << "callbacks without a store";
  EXPECT_GT(Find(p, "#a6cee3", &timeline).pixels + Find(p, "#fdbf6f", &timeline).pixels, 20)
      << "callbacks under requests' stores";

  Box leaks = Find(p, report::kLeaksStripeColour);
  EXPECT_GT(leaks.y0, timeline.y1) << leaks;

  // After scripts ran: the script added its buttons (it ran, without error).
  auto dom = Browse(browser, dir, html, "--dump-dom");
  EXPECT_NE(dom.out.find("id=\"expand-all\""), std::string::npos) << dom.err;
  EXPECT_NE(dom.out.find("<details class=\"finding\" id=\"finding-1\" open=\"\">"), std::string::npos);
}

// A program whose path, source and store try to break out of the page:
// recorded for real, reported, and opened in the browser.
TEST(ReportInBrowser, HostileTraceStringsStayText) {
  TempDir dir;
  std::string evil_dir = "x\"'<img src=x onerror=alert(1)>&amp;";
  std::filesystem::create_directories(dir.File(evil_dir));
  testing::WriteFile(dir.File(evil_dir + "/app.js"),
                     "const { AsyncLocalStorage } = require('async_hooks');\n"
                     "const als = new AsyncLocalStorage();\n"
                     "const jobs = [];\n"
                     "const drain = setInterval(() => { const j = jobs.shift(); if (j) j(); else clearInterval(drain); }, 1);\n"
                     "function show() {\n"
                     "  return als.getStore(); // </td></tr></table><script>alert(1)</script> \xe2\x80\xae" "evil" +
                         std::string("\0", 1) + "nul\n"
                     "}\n"
                     "als.run({ label: '<script>alert(\"store\")</script>' }, () => { show(); jobs.push(() => show()); });\n");
  std::string trace = dir.File("t.trace");
  auto rec = testing::RunCommand("cd " + Quote(dir.path()) + " && " + Bin() + " record -o " + Quote(trace) +
                                 " -- node " + Quote(evil_dir + "/app.js"));
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  std::string html = dir.File("r.html");
  auto r = testing::RunCommand(Bin() + " check --format html " + Quote(trace) + " -o " + Quote(html));
  ASSERT_EQ(r.exit_code, 1) << r.err << testing::RunCommand(Bin() + " check " + Quote(trace)).out;
  std::string page = testing::ReadFile(html);
  EXPECT_EQ(page.find("<img src=x"), std::string::npos);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("</td></tr></table><script>"), std::string::npos);
  EXPECT_EQ(page.find('\0'), std::string::npos);
  EXPECT_EQ(page.find("\xe2\x80\xae"), std::string::npos) << "no raw bidi override";
  EXPECT_NE(page.find("x&quot;&#39;&lt;img src=x onerror=alert(1)&gt;&amp;amp;/app.js:6:14"), std::string::npos);
  EXPECT_NE(page.find("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(1)&lt;/script&gt; \\u202eevil\\x00nul"),
            std::string::npos)
      << "the source line, visible and inert";
  EXPECT_EQ(Count(page, "<script>"), 1u) << "only the page's own script";

  std::string browser = Chromium();
  if (browser.empty()) GTEST_SKIP() << "no chromium on PATH (scripts/install-packages.sh installs Debian's)";
  auto dom = Browse(browser, dir, html, "--dump-dom");
  ASSERT_NE(dom.out.find("</html>"), std::string::npos) << dom.err;
  EXPECT_EQ(Count(dom.out, "<script"), 1u) << "no script element but the page's own";
  EXPECT_EQ(Count(dom.out, "<img"), 1u) << "the chain picture only";
  EXPECT_EQ(dom.out.find("onerror=\""), std::string::npos);
  EXPECT_EQ(Count(dom.out, "<table"), Count(page, "<table")) << "the source's </table> closed nothing";
}

}  // namespace
}  // namespace ahtrace
