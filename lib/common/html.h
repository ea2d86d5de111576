// Trace strings are untrusted bytes; the HTML report shows them only
// through HtmlEscape, so that no trace can add markup, scripts or
// attributes to the page, or make a line read as something else.
#pragma once

#include <string>
#include <string_view>

namespace ahtrace {

// `s` as HTML text, safe both between tags and inside a double- or
// single-quoted attribute value: first made visible as TerminalSafe does
// (invalid UTF-8 becomes U+FFFD; NUL and other C0 controls but tab, DEL,
// C1 controls and the bidirectional overrides and isolates that could
// reorder what a reader sees become the visible escapes \x00, \u202e),
// then & < > " ' written as character references. Never for the inside
// of <script> or <style>, URLs or unquoted attributes: the report puts no
// trace string there.
std::string HtmlEscape(std::string_view s);

// & < > " ' written as character references (&#39; for the apostrophe,
// which HTML and XML both read), every other byte as it is: the last step
// of HtmlEscape, and of the JUnit report's XML escaping after XmlSafe.
// Alone it is not enough for trace strings: it makes nothing visible.
std::string EscapeMarkup(std::string_view s);

}  // namespace ahtrace
