#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "common/output_file.h"
#include "sinks/sqlite_sink.h"

namespace ahtrace::cli {

Runner SetupReplay(CLI::App* sub) {
  struct Options {
    std::string trace;
    std::string output = "ahtrace.db";
    bool no_events = false;
    bool quiet = false;
  };
  auto opts = std::make_shared<Options>();
  sub->add_option("trace", opts->trace, "Trace directory, stream file or NDJSON file")->required();
  sub->add_option("-o,--output", opts->output, "SQLite database to write (replaced)")->capture_default_str();
  sub->add_flag("--no-events", opts->no_events, "Leave the raw `event` table empty (smaller, faster)");
  sub->add_flag("-q,--quiet", opts->quiet, "Print nothing on success");
  return [opts]() {
    Status status = CheckOutputSparesInput(opts->output, opts->trace);
    if (!status.ok()) return Fail(status);
    auto reader = OpenTrace(opts->trace, &status);
    if (!reader) return Fail(status);
    ProgressMeter progress("replay");
    reader->set_progress(&progress);
    SqliteSink db;
    status = db.Open(opts->output, SqliteOptions{!opts->no_events});
    if (!status.ok()) return Fail(status);
    ReplaySummary summary;
    status = Replay(*reader, &db, &db, &summary);
    if (!status.ok()) {
      db.Abandon();
      return Fail(status);
    }
    status = db.Commit(*reader);
    if (!status.ok()) return Fail(status);
    if (!opts->quiet) {
      std::fprintf(stderr, "ahtrace: replayed %llu events from %zu stream(s) into %s: %llu finding(s)%s\n",
                   static_cast<unsigned long long>(summary.events), summary.streams, opts->output.c_str(),
                   static_cast<unsigned long long>(summary.findings),
                   summary.findings ? " (SELECT * FROM finding)" : "");
    }
    return 0;
  };
}

}  // namespace ahtrace::cli
