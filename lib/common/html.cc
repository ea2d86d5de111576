#include "common/html.h"

#include "common/utf8.h"

namespace ahtrace {

std::string HtmlEscape(std::string_view s) { return EscapeMarkup(TerminalSafe(s)); }

std::string EscapeMarkup(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace ahtrace
