#include <memory>

#include "cli/commands.h"
#include "common/output_file.h"
#include "sinks/ndjson_writer.h"

namespace ahtrace::cli {

Runner SetupConvert(CLI::App* sub) {
  struct Options {
    std::string trace;
    std::string output = "-";
  };
  auto opts = std::make_shared<Options>();
  sub->add_option("trace", opts->trace, "Trace directory, stream file or NDJSON file")->required();
  sub->add_option("-o,--output", opts->output, "NDJSON file to write, - for stdout")->capture_default_str();
  return [opts]() {
    Status status = CheckOutputSparesInput(opts->output, opts->trace);
    if (!status.ok()) return Fail(status);
    auto reader = OpenTrace(opts->trace, &status);
    if (!reader) return Fail(status);
    ProgressMeter progress("convert");
    reader->set_progress(&progress);
    status = WriteNdjson(*reader, opts->output);
    return status.ok() ? 0 : Fail(status);
  };
}

}  // namespace ahtrace::cli
