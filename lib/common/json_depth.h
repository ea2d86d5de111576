// Trace headers and NDJSON lines are untrusted JSON. nlohmann's parser is
// iterative, but serialising a value (dump(), which every header goes
// through) recurses once per level: 100,000 nested '[' overflow the stack.
// Readers measure the nesting first and refuse what no recorder writes.
#pragma once

#include <string_view>

namespace ahtrace {

// The deepest nesting any ahtrace or node trace-event header needs is 3;
// 64 leaves room for other tools' extra fields.
constexpr int kMaxJsonNesting = 64;

// Whether the arrays and objects of the JSON text `text` nest deeper than
// `max_depth` (brackets inside strings do not count). Linear, no recursion;
// does not validate the JSON.
bool JsonNestsDeeperThan(std::string_view text, int max_depth = kMaxJsonNesting);

}  // namespace ahtrace
