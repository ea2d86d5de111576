// How a failed read or write is said to the user. A full disk is the
// failure users meet most and must recognise at once ("disk full
// (ENOSPC)"), never "internal error" or a bare "write failed".
#pragma once

#include <string>

namespace ahtrace {

// "disk full (ENOSPC)", "disk quota exceeded (EDQUOT)", "file too large
// (EFBIG)", "I/O error (EIO)"; strerror's text for other errno values.
std::string IoErrorText(int err);

// The same from the errno name node reports (`error.code`, "ENOSPC"); the
// name itself when it is not one of those.
std::string IoErrorTextForCode(const std::string& code);

}  // namespace ahtrace
