#include "common/io_error.h"

#include <cerrno>
#include <cstring>

namespace ahtrace {
namespace {

struct Named {
  int err;
  const char* code;
  const char* text;
};
// The failures that mean "the storage is full or broken", not "you asked
// for something wrong": each is said with its errno name so that a user can
// search for it.
constexpr Named kNamed[] = {
    {ENOSPC, "ENOSPC", "disk full (ENOSPC)"},
    {EDQUOT, "EDQUOT", "disk quota exceeded (EDQUOT)"},
    {EFBIG, "EFBIG", "file too large (EFBIG)"},
    {EIO, "EIO", "I/O error (EIO)"},
    {EROFS, "EROFS", "read-only file system (EROFS)"},
};

}  // namespace

std::string IoErrorText(int err) {
  for (const auto& n : kNamed)
    if (n.err == err) return n.text;
  return std::strerror(err);
}

std::string IoErrorTextForCode(const std::string& code) {
  for (const auto& n : kNamed)
    if (code == n.code) return n.text;
  return code;
}

}  // namespace ahtrace
