// The subcommand table (ninja's ChooseTool idea): each command binds its
// options to a sub-app and returns the function that runs it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/status.h"

namespace ahtrace::cli {

using Runner = std::function<int()>;

struct Command {
  const char* name;
  const char* description;
  Runner (*setup)(CLI::App* sub);
};

Runner SetupRecord(CLI::App* sub);
Runner SetupStats(CLI::App* sub);
Runner SetupConvert(CLI::App* sub);
Runner SetupReplay(CLI::App* sub);
Runner SetupGraph(CLI::App* sub);
Runner SetupCheck(CLI::App* sub);
Runner SetupExport(CLI::App* sub);
Runner SetupReport(CLI::App* sub);

// Everything after the first `--` on the command line (the program that
// `record` runs); main() cuts it off before CLI11 parses the rest.
std::vector<std::string>& TrailingArgs();

// Prints "ahtrace: <message>" to stderr and returns the status's exit code.
int Fail(const Status& status);
int FailMessage(int exit_code, const std::string& message);

}  // namespace ahtrace::cli
