// What `check` reads besides traces: the list of accepted findings and the
// checked-in configuration. Both are user files: a bad one is a usage error
// naming the file, never an exception.
#pragma once

#include <set>
#include <string>

#include "check/check.h"
#include "common/status.h"

namespace ahtrace::check {

// --allow FILE: one fingerprint per line ('#' starts a comment), or the JSON
// that `check --format json` writes (its findings' fingerprints).
Status LoadAllowList(const std::string& path, std::set<std::string>* out);

// --config FILE (for example a checked-in .ahtrace.json):
//   {"expectStore": ["src/handlers/", "app.js:42"], "allow": ["<fingerprint>"],
//    "leaks": true, "hookRules": true, "mismatches": true, "context": true}
// Every key is optional; command-line flags add to what the file says.
Status LoadConfig(const std::string& path, CheckOptions* options);

}  // namespace ahtrace::check
