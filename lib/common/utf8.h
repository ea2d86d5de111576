// Trace strings are untrusted bytes; outputs that must be valid UTF-8 (XML,
// DOT) pass them through here first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ahtrace {

// `s` with every byte that does not start a well-formed UTF-8 sequence
// (RFC 3629: overlong forms, surrogates and code points above U+10FFFF are
// not) replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);

// `s` as text XML 1.0 allows: valid UTF-8 as above, and the code points
// XML forbids even as references (C0 controls but tab, newline and
// carriage return; U+FFFE; U+FFFF) replaced by U+FFFD. For JUnit, SVG and
// every label that may end up in one.
std::string XmlSafe(std::string_view s);

// `s` made safe to print on a terminal: valid UTF-8 as above, and every
// character a terminal would act on rather than show (C0 controls but tab,
// so also newlines that would forge report lines, and NUL; DEL; C1
// controls; bidirectional overrides and isolates) written as a visible
// escape, \x1b or \u202e. Text reports pass every trace string through it.
std::string TerminalSafe(std::string_view s);

}  // namespace ahtrace
