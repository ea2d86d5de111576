// Trace headers, NDJSON lines and node trace-event logs are untrusted
// JSON. Two traps in taking values out of it with nlohmann:
// - its parser is iterative, but serialising a value (dump(), which every
//   header goes through) recurses once per level: 100,000 nested '['
//   overflow the stack. Readers measure the nesting first and refuse what
//   no recorder writes.
// - get<int64_t>() and value(key, int64_t) static_cast a JSON float, which
//   is undefined behaviour when it does not fit ("pid": 1e54). Integers are
//   taken through JsonInteger() instead.
#pragma once

#include <cmath>

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ahtrace {

// The deepest nesting any ahtrace or node trace-event header needs is 3;
// 64 leaves room for other tools' extra fields.
constexpr int kMaxJsonNesting = 64;

// Whether the arrays and objects of the JSON text `text` nest deeper than
// `max_depth` (brackets inside strings do not count). Linear, no recursion;
// does not validate the JSON.
bool JsonNestsDeeperThan(std::string_view text, int max_depth = kMaxJsonNesting);

// `v` as an integer when it is one that JavaScript numbers hold exactly:
// finite, integral, within 2^53. The binary format stores ids as doubles.
// Inline: the binary reader calls it four times per record (it was 10% of
// `stats` out of line). NaN and infinities fail the range test; a whole
// number survives the round trip through int64_t; -0.0 gives 0.
inline bool SafeIntegerFromDouble(double v, int64_t* out) {
  constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1
  if (!(std::fabs(v) <= kMaxSafeInteger)) return false;
  int64_t i = static_cast<int64_t>(v);
  if (static_cast<double>(i) != v) return false;
  *out = i;
  return true;
}

// `v` as a signed 64-bit integer: an integer that fits, or a float that is
// integral and within 2^53 (what JavaScript numbers hold exactly). False
// for anything else, with *out untouched.
bool JsonInteger(const nlohmann::json& v, int64_t* out);

// The integer at `key` of object `j`, or `fallback` when it is absent or
// not such an integer.
int64_t JsonIntegerOr(const nlohmann::json& j, const char* key, int64_t fallback);

}  // namespace ahtrace
