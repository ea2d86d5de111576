#include "trace/binary_writer.h"

#include "common/io_error.h"

#include <cerrno>
#include <cstring>
#include <vector>

namespace ahtrace {
namespace {
constexpr size_t kRecordSize = 56;
constexpr char kMagic[8] = {'A', 'H', 'T', 'R', 'A', 'C', 'E', '\0'};
constexpr uint32_t kVersion = 1;

struct Record {
  uint32_t kind = 0, name = 0;
  double a = 0, b = 0, eid = 0, tid = 0, ts = 0;
  uint32_t site = 0, aux = 0;
};
static_assert(sizeof(Record) == kRecordSize, "record layout must match docs/trace-format.md");
}  // namespace

BinaryStreamWriter::~BinaryStreamWriter() {
  if (f_) std::fclose(f_);
}

Status BinaryStreamWriter::Open(const std::string& path, const std::string& header_json) {
  path_ = path;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return OutputError(path + ": cannot write: " + IoErrorText(errno));
  uint32_t len = static_cast<uint32_t>(header_json.size());
  Raw(kMagic, 8);
  Raw(&kVersion, 4);
  Raw(&len, 4);
  Raw(header_json.data(), header_json.size());
  static const char zeros[8] = {0};
  Raw(zeros, (8 - header_json.size() % 8) % 8);
  return Status::Ok();
}

void BinaryStreamWriter::Raw(const void* data, size_t n) {
  if (n && std::fwrite(data, 1, n, f_) != n && !failed_) {
    failed_ = true;
    error_ = errno;
  }
}

uint32_t BinaryStreamWriter::Intern(std::string_view s) {
  if (s.empty()) return 0;
  auto it = strings_.find(std::string(s));
  if (it != strings_.end()) return it->second;
  uint32_t id = static_cast<uint32_t>(strings_.size() + 1);
  strings_.emplace(std::string(s), id);
  Record r;
  r.kind = static_cast<uint32_t>(EventKind::kString);
  r.name = id;
  r.a = static_cast<double>(s.size());
  Raw(&r, sizeof r);
  std::vector<char> payload((s.size() + kRecordSize - 1) / kRecordSize * kRecordSize, 0);
  std::memcpy(payload.data(), s.data(), s.size());
  Raw(payload.data(), payload.size());
  return id;
}

void BinaryStreamWriter::DefineStore(StoreId id, const std::string& label, uint32_t value_kind) {
  Record r;
  r.kind = static_cast<uint32_t>(EventKind::kStore);
  r.name = Intern(label);
  r.a = static_cast<double>(id);
  r.aux = value_kind;
  Raw(&r, sizeof r);
}

void BinaryStreamWriter::DefineSource(const std::string& file, const std::string& text) {
  Record r;
  r.kind = static_cast<uint32_t>(EventKind::kSource);
  r.name = Intern(file);
  r.a = static_cast<double>(Intern(text));
  r.b = static_cast<double>(text.size());
  Raw(&r, sizeof r);
}

void BinaryStreamWriter::DefineFunctions(const std::string& file, const std::string& extents, double count) {
  Record r;
  r.kind = static_cast<uint32_t>(EventKind::kFunctions);
  r.name = Intern(file);
  r.a = static_cast<double>(Intern(extents));
  r.b = count;
  Raw(&r, sizeof r);
}

void BinaryStreamWriter::Write(const Event& e, double ts_ms) {
  Record r;
  r.kind = static_cast<uint32_t>(e.kind);
  r.name = Intern(e.kind == EventKind::kAlsGetStore || e.kind == EventKind::kAlsExpect ? e.callers : e.type);
  r.site = Intern(e.site);
  r.aux = Intern(e.enclosing);
  if (IsAlsEvent(e.kind)) {
    r.a = static_cast<double>(e.storage);
    r.b = static_cast<double>(e.store);
  } else if (e.kind == EventKind::kStreamEnd) {
    r.a = static_cast<double>(e.exit_code);
  } else if (e.kind == EventKind::kListenerAdd || e.kind == EventKind::kEmitBegin ||
             e.kind == EventKind::kEmitEnd) {
    r.a = static_cast<double>(e.emitter);
    r.b = static_cast<double>(e.listener);
  } else {
    r.a = static_cast<double>(e.async_id.value);
    r.b = static_cast<double>(e.trigger_id.value);
  }
  r.eid = static_cast<double>(e.observed_eid.value);
  r.tid = static_cast<double>(e.observed_tid.value);
  r.ts = ts_ms;
  Raw(&r, sizeof r);
}

Status BinaryStreamWriter::Close() {
  if (!f_) return Status::Ok();
  bool close_failed = std::fclose(f_) != 0;
  if (close_failed && !failed_) error_ = errno;
  f_ = nullptr;
  if (failed_ || close_failed) return OutputError(path_ + ": cannot write: " + IoErrorText(error_ ? error_ : EIO));
  return Status::Ok();
}

}  // namespace ahtrace
