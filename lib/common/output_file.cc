#include "common/output_file.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace ahtrace {

std::string TemporaryPathFor(const std::string& path) { return path + ".tmp-" + std::to_string(getpid()); }

Status RenameIntoPlace(const std::string& tmp, const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (!ec) return Status::Ok();
  std::remove(tmp.c_str());
  return OutputError(path + ": cannot rename into place: " + ec.message());
}

}  // namespace ahtrace
