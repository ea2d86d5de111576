// Trace strings are untrusted bytes; outputs that must be valid UTF-8 (XML,
// DOT) pass them through here first.
#pragma once

#include <string>
#include <string_view>

namespace ahtrace {

// `s` with every byte that does not start a well-formed UTF-8 sequence
// replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);

}  // namespace ahtrace
