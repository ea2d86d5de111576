// ahtrace: parse the command line, hand the work to the library, print.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/status.h"

namespace ahtrace::cli {

std::vector<std::string>& TrailingArgs() {
  static std::vector<std::string> args;
  return args;
}

int Fail(const Status& status) { return FailMessage(status.exit_code(), status.message()); }

int FailMessage(int exit_code, const std::string& message) {
  std::fprintf(stderr, "ahtrace: %s\n", message.c_str());
  return exit_code;
}

constexpr Command kCommands[] = {
    {"record", "Run a node program and record its async_hooks events into a trace", SetupRecord},
    {"stats", "Summarise what a trace holds", SetupStats},
    {"replay", "Replay a trace through the async_hooks model into SQLite", SetupReplay},
    {"graph", "Trigger or execution graph as DOT, or rendered (svg, png, pdf)", SetupGraph},
    {"check", "CI checks: context loss (where it broke), leaks, broken rules; exit 1 on findings", SetupCheck},
    {"convert", "Convert a trace to the NDJSON interchange form", SetupConvert},
    {"export", "Export a trace as Chrome trace-event JSON (open it in ui.perfetto.dev)", SetupExport},
    {"report", "check's verdict as one self-contained HTML page (findings, chains, timeline, leaks)", SetupReport},
};

}  // namespace ahtrace::cli

int main(int argc, char** argv) {
  using namespace ahtrace::cli;
  CLI::App app{"ahtrace: record, replay and analyse Node.js async_hooks traces"};
  app.set_version_flag("--version", AHTRACE_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok; 1 findings (check); 2 usage error; 3 unreadable or invalid trace;\n"
      "4 output cannot be written; 5 internal error. `record` exits with the program's\n"
      "own code (128+N if a signal killed it), 124 when it exited 0 but the recording is\n"
      "incomplete (a disk that filled up, a killed process), 125 when nothing could be\n"
      "recorded (also: another `ahtrace record` is recording into the same -o), 126 when\n"
      "the command is not executable, 127 when it is not found.");
  std::vector<Runner> runners;
  std::vector<CLI::App*> subs;
  for (const auto& cmd : kCommands) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.description);
    subs.push_back(sub);
    runners.push_back(cmd.setup(sub));
  }
  int parsed_argc = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      parsed_argc = i;
      TrailingArgs().assign(argv + i + 1, argv + argc);
      break;
    }
  }
  try {
    app.parse(parsed_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return static_cast<int>(ahtrace::StatusCode::kUsage);
  }
  for (size_t i = 0; i < subs.size(); ++i) {
    if (subs[i]->parsed()) {
      try {
        return runners[i]();
      } catch (const std::exception& e) {
        return FailMessage(static_cast<int>(ahtrace::StatusCode::kInternal),
                           std::string("internal error: ") + e.what());
      }
    }
  }
  return static_cast<int>(ahtrace::StatusCode::kUsage);
}
