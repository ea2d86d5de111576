#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/commands.h"
#include "record/recorder.h"

namespace ahtrace::cli {

Runner SetupRecord(CLI::App* sub) {
  auto opts = std::make_shared<record::RecordOptions>();
  opts->output_dir = "ahtrace.trace";
  sub->add_option("-o,--output", opts->output_dir, "Trace directory to write (replaced if it holds a trace)")
      ->capture_default_str();
  sub->add_option("--stacks", opts->stacks,
                  "Creation sites: none; als (AsyncLocalStorage calls and listeners); default (also inits other than "
                  "PROMISE and TickObject); all")
      ->capture_default_str();
  auto no_instrument = std::make_shared<bool>(false);
  sub->add_flag("--no-instrument", *no_instrument,
                "Do not instrument the program's own modules (check then cannot tell a wrong store from a right one)");
  auto no_source_maps = std::make_shared<bool>(false);
  sub->add_flag("--no-source-maps", *no_source_maps,
                "Record sites at the JavaScript that ran even where a source map names the original (TypeScript) "
                "source");
  auto max_size = std::make_shared<std::string>();
  sub->add_option("--max-size", *max_size,
                  "Keep the trace under this size (e.g. 500M, 2G) for a long run: each stream is written in "
                  "segments and the oldest are deleted as the program runs, so the newest data is kept; replay and "
                  "check then say what was dropped (data-dropped), and check fails on it");
  sub->prefix_command();
  sub->allow_extras();
  sub->footer(
      "Usage: ahtrace record [-o app.trace] [--stacks MODE] -- node app.js [args...]\n"
      "Exit codes: the program's own (128+N if signal N killed it); 124 the program exited 0 but part of it was "
      "not recorded (also a disk that filled up); 125 nothing recorded (no node >= 20 started, a deno subcommand "
      "other than run/test, setup failed, or another `ahtrace record` is recording into the same -o); 4 the trace "
      "directory cannot be written; 126/127 command not executable/found.");
  return [opts, sub, no_instrument, no_source_maps, max_size]() {
    if (!max_size->empty() && !record::ParseByteSize(*max_size, &opts->max_size)) {
      return FailMessage(static_cast<int>(StatusCode::kUsage),
                         "--max-size: \"" + *max_size + "\" is not a size (say 500M, 2G or a number of bytes)");
    }
    opts->instrument = !*no_instrument;
    opts->source_maps = !*no_source_maps;
    // `record -o x -- node app.js` or, without the `--`, `record node app.js`.
    opts->command = sub->remaining();
    for (const auto& arg : TrailingArgs()) opts->command.push_back(arg);
    record::RecordResult result;
    Status status = record::Record(*opts, &result);
    for (const auto& w : result.warnings) std::fprintf(stderr, "ahtrace: warning: %s\n", w.c_str());
    if (!status.ok()) {
      FailMessage(result.exit_code, status.message());
      return result.exit_code;
    }
    if (result.signaled) {
      std::fprintf(stderr, "ahtrace: program killed by signal %d (%s)\n", result.signal,
                   strsignal(result.signal));
    }
    if (const auto& dropped = result.dropped; dropped.segments > 0 || dropped.over_bound) {
      std::fprintf(stderr,
                   "ahtrace: --max-size %s: deleted the %llu oldest segment(s) (%.1f MiB) of %zu stream(s), so the "
                   "trace keeps the newest data; replay and check report what is missing (data-dropped)%s\n",
                   max_size->c_str(), static_cast<unsigned long long>(dropped.segments),
                   static_cast<double>(dropped.bytes) / (1 << 20), dropped.streams.size(),
                   dropped.over_bound ? "; the segments being written alone pass the bound (one per stream)" : "");
    }
    for (const auto& gap : result.incomplete) std::fprintf(stderr, "ahtrace: incomplete: %s\n", gap.c_str());
    if (!result.incomplete.empty()) {
      std::fprintf(stderr,
                   "ahtrace: recording INCOMPLETE%s: %zu stream(s) into %s, %zu process(es)/thread(s) not recorded "
                   "whole; check and replay will report it%s\n",
                   result.disk_full ? " (the disk filled up)" : "", result.streams, opts->output_dir.c_str(),
                   result.incomplete.size(),
                   result.exit_code == record::kExitRecordingIncomplete ? " (exit 124)" : "");
      return result.exit_code;
    }
    std::fprintf(stderr, "ahtrace: recorded %zu stream(s) into %s\n", result.streams, opts->output_dir.c_str());
    return result.exit_code;
  };
}

}  // namespace ahtrace::cli
