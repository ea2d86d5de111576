// Writes a trace in the NDJSON interchange form (docs/trace-format.md), so
// users can inspect, filter or produce traces with their own tools.
#pragma once

#include <string>

#include "common/status.h"
#include "trace/reader.h"

namespace ahtrace {

// Reads the whole trace and writes it to `output` ("-" for stdout). The file
// is written to a temporary name and renamed: never half-written.
Status WriteNdjson(TraceReader& reader, const std::string& output);

}  // namespace ahtrace
