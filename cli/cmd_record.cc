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
  sub->prefix_command();
  sub->allow_extras();
  sub->footer("Usage: ahtrace record [-o app.trace] [--stacks MODE] -- node app.js [args...]");
  return [opts, sub]() {
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
    std::fprintf(stderr, "ahtrace: recorded %zu stream(s) into %s\n", result.streams, opts->output_dir.c_str());
    return result.exit_code;
  };
}

}  // namespace ahtrace::cli
