#include "common/html.h"

#include "common/utf8.h"

namespace ahtrace {

std::string HtmlEscape(std::string_view s) {
  std::string visible = TerminalSafe(s);
  std::string out;
  out.reserve(visible.size() + visible.size() / 8);
  for (char c : visible) {
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
