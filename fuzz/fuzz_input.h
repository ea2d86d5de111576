// What every fuzz target shares: the input handed to the readers as a file,
// and a full drain of a reader.
//
// The readers' public API opens paths (OpenTrace, OpenTraceEvents), so the
// fuzzer's bytes are written to a file in a temporary directory owned by
// this process (libFuzzer's -fork and -jobs run several processes at once).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "trace/reader.h"

namespace ahtrace::fuzz {

// This process's temporary directory (created on first use, removed at
// exit), with a trailing '/'.
const std::string& TempDir();

// Replaces TempDir() + name with the bytes and returns its path.
std::string WriteInput(const std::string& name, const uint8_t* data, size_t size);

// Reads every event and every problem, and touches every string the reader
// hands out, so that a view into freed or unowned memory is reported by
// ASan here rather than missed. Returns the number of events.
uint64_t Drain(TraceReader& reader);

// The readers' contract, which the CLI's exit codes rest on: any input is
// read (ok) or refused as an invalid trace (exit 3). Any other status
// (an internal error, exit 5) aborts, so the fuzzer keeps the input.
void ExpectReadOrRefused(const Status& status, const char* what);

// Folds a string into a value the compiler cannot drop.
void Touch(std::string_view s);

}  // namespace ahtrace::fuzz
