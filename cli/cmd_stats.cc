#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "sinks/stats.h"

namespace ahtrace::cli {

Runner SetupStats(CLI::App* sub) {
  struct Options {
    std::string trace;
    std::string format = "text";
  };
  auto opts = std::make_shared<Options>();
  sub->add_option("trace", opts->trace, "Trace directory, stream file or NDJSON file")->required();
  sub->add_option("--format", opts->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return [opts]() {
    Status status;
    auto reader = OpenTrace(opts->trace, &status);
    if (!reader) return Fail(status);
    TraceStats stats;
    status = ComputeStats(*reader, &stats);
    if (!status.ok()) return Fail(status);
    if (opts->format == "json")
      std::printf("%s\n", StatsToJson(stats).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    else
      std::fputs(StatsToText(stats).c_str(), stdout);
    return 0;
  };
}

}  // namespace ahtrace::cli
