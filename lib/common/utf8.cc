#include "common/utf8.h"

#include <cstdio>

namespace ahtrace {
namespace {

// Decodes the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF). False if there is none.
bool DecodeAt(std::string_view s, size_t i, uint32_t* cp, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    *len = 1;
    return true;
  }
  size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return false;
  uint32_t v = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
  for (size_t k = 1; k < n; ++k) {
    unsigned char b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return false;
    v = (v << 6) | (b & 0x3f);
  }
  static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return false;
  *cp = v;
  *len = n;
  return true;
}

// Code points a terminal acts on instead of showing: C0 controls but tab,
// DEL, C1 controls, and the bidirectional overrides and isolates that can
// make a line read as something else.
bool ActsOnTerminal(uint32_t cp) {
  if (cp == '\t') return false;
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return true;
  return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Calls emit(code point, its bytes) for each well-formed sequence and
// emit(0, "") for each byte that starts none.
template <typename Emit>
void ForEachCodePoint(std::string_view s, Emit emit) {
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    size_t len;
    if (DecodeAt(s, i, &cp, &len)) {
      emit(cp, s.substr(i, len));
      i += len;
    } else {
      emit(0, std::string_view());
      ++i;
    }
  }
}

constexpr const char kReplacement[] = "\xef\xbf\xbd";  // U+FFFD

}  // namespace

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](uint32_t, std::string_view bytes) { out += bytes.empty() ? kReplacement : bytes; });
  return out;
}

std::string XmlSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](uint32_t cp, std::string_view bytes) {
    bool allowed = !bytes.empty() && (cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r') && cp != 0xfffe &&
                   cp != 0xffff;
    out += allowed ? bytes : std::string_view(kReplacement);
  });
  return out;
}

std::string TerminalSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](uint32_t cp, std::string_view bytes) {
    if (bytes.empty()) {
      out += kReplacement;
    } else if (ActsOnTerminal(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, cp < 0x100 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out += bytes;
    }
  });
  return out;
}

}  // namespace ahtrace
