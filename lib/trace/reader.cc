#include "trace/reader.h"

#include "trace/trace_events_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/untrusted_json.h"

namespace ahtrace {
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string ReadProblem::Where() const {
  return file + (is_line ? ":" : "@") + std::to_string(location);
}

void TraceReader::Problem(const std::string& file, uint64_t location, bool is_line,
                          std::string message) {
  if (++problem_count_ > kMaxReportedProblems) return;
  if (on_problem_) on_problem_(ReadProblem{file, location, is_line, std::move(message)});
}

uint64_t TotalFileSize(const std::vector<std::string>& files) {
  uint64_t total = 0;
  for (const auto& f : files) {
    std::error_code ec;
    uintmax_t size = fs::file_size(f, ec);
    if (!ec) total += size;
  }
  return total;
}

void TraceReader::ReportProgress(bool more) {
  if (!more) {
    progress_->Clear();
    return;
  }
  InputPosition at = Position();
  progress_->Update(events_read_, at.done, at.total);
}

uint32_t TraceReader::AddStream(StreamInfo info) {
  streams_.push_back(std::move(info));
  stores_.emplace_back();
  stores_.back().push_back(StoreInfo{0, "undefined", "undefined"});
  sources_.emplace_back();
  functions_.emplace_back();
  return static_cast<uint32_t>(streams_.size() - 1);
}

bool TraceReader::DefineStore(uint32_t stream, StoreId id, std::string label, std::string kind) {
  auto& table = stores_[stream];
  if (id <= 0 || id > static_cast<StoreId>(table.size())) return false;
  if (static_cast<size_t>(id) == table.size()) table.emplace_back();
  table[static_cast<size_t>(id)] = StoreInfo{id, std::move(label), std::move(kind)};
  return true;
}

void TraceReader::DefineSource(uint32_t stream, std::string_view file, std::string_view text) {
  // A segmented stream defines its sources again in each segment.
  for (const auto& known : sources_[stream])
    if (known.file == file) return;
  sources_[stream].push_back(SourceFile{file, text});
  source_by_file_.emplace(file, text);  // the first stream's copy wins
}

std::string TraceReader::DefineFunctions(uint32_t stream, std::string_view file, std::string_view text,
                                         int64_t count) {
  for (const auto& known : functions_[stream])
    if (known.file == file) return {};  // defined again by a later segment
  SourceExtents extents;
  std::string error;
  if (!ParseSourceExtents(text, count, &extents, &error)) return error;
  functions_[stream].push_back(FunctionsRecord{file, text, count});
  extents_by_file_.emplace(file, std::move(extents));  // the first stream's copy wins
  return {};
}

const SourceExtents* TraceReader::FunctionExtents(std::string_view file) const {
  auto it = extents_by_file_.find(file);
  return it == extents_by_file_.end() ? nullptr : &it->second;
}

const FunctionExtent* SourceExtents::FunctionAt(SourcePos start) const {
  auto it = std::lower_bound(functions.begin(), functions.end(), start,
                             [](const FunctionExtent& f, SourcePos p) { return f.start < p; });
  return it != functions.end() && it->start == start ? &*it : nullptr;
}

const CallExtent* SourceExtents::CallAt(SourcePos at) const {
  auto it = std::lower_bound(calls.begin(), calls.end(), at, [](const CallExtent& c, SourcePos p) { return c.at < p; });
  return it != calls.end() && it->at == at ? &*it : nullptr;
}

bool ParseSourceExtents(std::string_view text, int64_t count, SourceExtents* out, std::string* error) {
  *out = SourceExtents();
  if (count <= 0 || count > kMaxExtentEntries) {
    *error = "functions record with an entry count out of range";
    return false;
  }
  size_t i = 0;
  int64_t entries = 0;
  auto fail = [&](const std::string& why) {
    *error = "functions record: " + why + " in entry " + std::to_string(entries + 1) + " (byte " + std::to_string(i) +
             " of its text)";
    *out = SourceExtents();
    return false;
  };
  while (i < text.size()) {
    if (entries >= count) return fail("more entries than its count");
    char letter = text[i++];
    if (letter != 'f' && letter != 'c') return fail("unknown entry kind");
    int32_t v[6];
    for (int k = 0; k < 6; ++k) {
      if (k > 0) {
        if (i >= text.size() || text[i] != ',') return fail("expected ','");
        ++i;
      }
      int64_t n = 0;
      size_t digits = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 10) {
        n = n * 10 + (text[i] - '0');
        ++i;
        ++digits;
      }
      int32_t limit = k % 2 == 0 ? kMaxExtentLine : kMaxExtentColumn;
      if (digits == 0 || n < 1 || n > limit) return fail("a line or column missing or out of range");
      v[k] = static_cast<int32_t>(n);
    }
    SourcePos a{v[0], v[1]}, b{v[2], v[3]}, c{v[4], v[5]};
    if (letter == 'f') {
      if (!(a <= b) || !(b < c)) return fail("a function whose body does not follow its start");
      out->functions.push_back(FunctionExtent{a, b, c});
    } else {
      if (!(a <= b) || !(b < c)) return fail("a call whose argument list does not follow it");
      out->calls.push_back(CallExtent{a, b, c});
    }
    ++entries;
    if (i < text.size()) {
      if (text[i] != ';') return fail("expected ';'");
      if (++i == text.size()) return fail("a trailing ';'");
    }
  }
  if (entries != count) {
    *error = "functions record holds " + std::to_string(entries) + " entries, its count says " + std::to_string(count);
    *out = SourceExtents();
    return false;
  }
  // Ordered and one per position, so lookups can bisect; a duplicate
  // position keeps the first (outermost) entry.
  auto by_start = [](const FunctionExtent& x, const FunctionExtent& y) { return x.start < y.start; };
  std::stable_sort(out->functions.begin(), out->functions.end(), by_start);
  out->functions.erase(std::unique(out->functions.begin(), out->functions.end(),
                                   [](const FunctionExtent& x, const FunctionExtent& y) { return x.start == y.start; }),
                       out->functions.end());
  auto by_at = [](const CallExtent& x, const CallExtent& y) { return x.at < y.at; };
  std::stable_sort(out->calls.begin(), out->calls.end(), by_at);
  out->calls.erase(std::unique(out->calls.begin(), out->calls.end(),
                               [](const CallExtent& x, const CallExtent& y) { return x.at == y.at; }),
                   out->calls.end());
  return true;
}

std::string_view TraceReader::SourceText(std::string_view file) const {
  auto it = source_by_file_.find(file);
  return it == source_by_file_.end() ? std::string_view() : it->second;
}

namespace {

constexpr char kMagic[8] = {'A', 'H', 'T', 'R', 'A', 'C', 'E', '\0'};
constexpr size_t kRecordSize = 56;
constexpr uint32_t kMaxHeaderBytes = 1 << 20;
constexpr uint64_t kMaxStringBytes = 1 << 20;
// Times are kept in signed 64-bit nanoseconds: origin + offset, and later
// differences of two such times, must not overflow. A stream's timeOrigin
// (ms since the epoch) lies before 2096 and an event within 31 years of it;
// anything beyond is damage, reported, never added up.
constexpr double kMaxTimeOriginMs = 4e12;
constexpr double kMaxEventOffsetMs = 1e12;
constexpr int64_t kMaxSegment = int64_t(1) << 40;

const char* ValueKindName(uint32_t aux) {
  static const char* kNames[] = {"other", "object", "function", "string",
                                 "number", "boolean", "null", "other"};
  return aux < 8 ? kNames[aux] : "other";
}

// Fills the header fields every format shares from a header JSON object.
void ApplyHeader(const json& h, StreamInfo* info, int64_t* origin_ns) {
  auto num = [&](const char* key) { return JsonIntegerOr(h, key, 0); };
  auto str = [&](const char* key) -> std::string {
    auto it = h.find(key);
    return it != h.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto flag = [&](const char* key) {
    auto it = h.find(key);
    return it != h.end() && it->is_boolean() && it->get<bool>();
  };
  info->pid = num("pid");
  info->ppid = num("ppid");
  info->thread_id = num("threadId");
  auto main_it = h.find("isMainThread");
  info->is_main_thread = main_it == h.end() || !main_it->is_boolean() || main_it->get<bool>();
  info->node_version = str("node");
  info->stacks = str("stacks");
  info->async_context_frame = flag("asyncContextFrame");
  info->allow_async_hooks_flag = flag("allowAsyncHooksFlag");
  info->closure_ownership = flag("closureOwnership");
  if (!str("runtime").empty()) info->runtime = str("runtime");
  auto hooks = h.find("hookEvents");
  info->hook_events = hooks == h.end() || !hooks->is_boolean() || hooks->get<bool>();
  auto origin = h.find("timeOrigin");
  double origin_ms = origin != h.end() && origin->is_number() ? origin->get<double>() : 0;
  *origin_ns = origin_ms >= 0 && origin_ms <= kMaxTimeOriginMs ? std::llround(origin_ms * 1e6) : 0;
  info->time_origin_ns = *origin_ns;
  // A stream cut by `record --max-size` and read from a later segment (or
  // converted from one: the NDJSON stream line keeps the header's keys).
  int64_t segment = 0;
  auto seg = h.find("segment");
  if (seg != h.end() && JsonInteger(*seg, &segment) && segment > 0 && segment <= kMaxSegment)
    info->first_segment = static_cast<uint64_t>(segment);
}

// An event's time (ms after the stream's origin) in ns; false when it is
// not a time any recorder writes.
bool ToOffsetNs(double ms, int64_t* out) {
  if (!std::isfinite(ms) || std::fabs(ms) > kMaxEventOffsetMs) return false;
  *out = std::llround(ms * 1e6);
  return true;
}

// Reads binary streams (.ahs), one file after another.
class BinaryTraceReader : public TraceReader {
 public:
  explicit BinaryTraceReader(std::vector<std::string> files)
      : files_(std::move(files)), total_bytes_(TotalFileSize(files_)) {
    for (const auto& f : files_) {
      std::string stem;
      uint64_t segment = 0;
      StreamSegmentOf(fs::path(f).filename().string(), &stem, &segment);
      stems_.push_back(fs::path(f).parent_path().string() + "/" + stem);
    }
  }
  ~BinaryTraceReader() override { Close(); }

  InputPosition Position() const override { return {bytes_read_, total_bytes_}; }

  bool ReadNext(Event* ev) override {
    for (;;) {
      if (!status_.ok()) return false;
      if (!pending_.empty()) {
        *ev = pending_.front();
        pending_.pop_front();
        return true;
      }
      if (!file_) {
        if (next_file_ >= files_.size()) {
          if (streams_.empty()) status_ = InvalidTrace(files_.front() + ": no readable stream in this trace");
          return false;
        }
        // The next segment of the stream being read goes on with it.
        bool continues = !open_stem_.empty() && stems_[next_file_] == open_stem_;
        if (!continues) open_stem_.clear();
        size_t index = next_file_++;
        if (OpenStream(files_[index], continues)) {
          open_stem_ = stems_[index];
        } else {
          // In a trace directory, one stream that never got its header
          // written (a process killed as it started) must not hide the
          // others: it is a problem, and reading goes on. A version this
          // reader does not know stays fatal.
          if (files_.size() > 1 && status_.code() == StatusCode::kInvalidTrace && !unsupported_version_) {
            Problem(path_, 0, false, status_.message() + (continues ? "; segment skipped" : "; stream skipped"));
            status_ = Status::Ok();
            Close();
          } else {
            return false;
          }
        }
        continue;
      }
      if (ReadRecord(ev)) return true;
      Close();
    }
  }

 private:
  void Close() {
    if (file_) std::fclose(file_);
    file_ = nullptr;
    stream_base_ += offset_;  // a next segment's offsets count on from here
    offset_ = 0;
  }

  // Makes n bytes available at buf_[pos_]; false at end of file.
  bool Fill(size_t n) {
    if (buf_.size() - pos_ >= n) return true;
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(pos_));
    pos_ = 0;
    size_t want = std::max<size_t>(n, kRecordSize * 16384);
    size_t have = buf_.size();
    buf_.resize(have + want);
    size_t got = std::fread(buf_.data() + have, 1, want, file_);
    bytes_read_ += got;
    buf_.resize(have + got);
    if (std::ferror(file_)) {
      status_ = InvalidTrace(path_ + ": read error");
      return false;
    }
    return buf_.size() >= n;
  }

  // Opens a stream file: a new stream, or (`continues`) the next segment of
  // the one being read.
  bool OpenStream(const std::string& path, bool continues) {
    path_ = path;
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) {
      status_ = InvalidTrace(path + ": cannot open: " + std::strerror(errno));
      return false;
    }
    buf_.clear();
    pos_ = 0;
    offset_ = 0;
    if (!Fill(16) || std::memcmp(buf_.data(), kMagic, 8) != 0) {
      status_ = InvalidTrace(path + ": not an ahtrace stream (bad magic)");
      return false;
    }
    uint32_t version, header_len;
    std::memcpy(&version, buf_.data() + 8, 4);
    std::memcpy(&header_len, buf_.data() + 12, 4);
    if (version < kOldestSupportedFormatVersion || version > kTraceFormatVersion) {
      unsupported_version_ = true;
      status_ = InvalidTrace(path + ": trace format version " + std::to_string(version) +
                             " is not supported (this ahtrace reads versions " +
                             std::to_string(kOldestSupportedFormatVersion) + " to " +
                             std::to_string(kTraceFormatVersion) + ")");
      return false;
    }
    if (header_len > kMaxHeaderBytes) {
      status_ = InvalidTrace(path + ": header length " + std::to_string(header_len) + " is too large");
      return false;
    }
    size_t padded = (header_len + 7) / 8 * 8;
    if (!Fill(16 + padded)) {
      status_ = InvalidTrace(path + ": truncated header");
      return false;
    }
    std::string_view header_text(reinterpret_cast<const char*>(buf_.data()) + 16, header_len);
    if (JsonNestsDeeperThan(header_text)) {
      status_ = InvalidTrace(path + ": header nests JSON deeper than " + std::to_string(kMaxJsonNesting) +
                             " levels; no recorder writes that");
      return false;
    }
    json header = json::parse(header_text, nullptr, false);
    if (header.is_discarded() || !header.is_object()) {
      status_ = InvalidTrace(path + ": header is not a JSON object");
      return false;
    }
    pos_ = 16 + padded;
    offset_ = pos_;
    int64_t segment = 0;
    if (header.contains("segment") && (!JsonInteger(header["segment"], &segment) || segment < 0 ||
                                       segment > kMaxSegment)) {
      Problem(path, 16, false, "header: \"segment\" is not a segment number; read as 0");
      segment = 0;
    }
    if (continues) {
      StreamInfo& info = streams_[stream_];
      ++info.segments;
      int64_t expected = segment_ + 1;
      if (segment != expected) {
        Problem(path, 16, false,
                segment > expected ? "segments " + std::to_string(expected) + " to " + std::to_string(segment - 1) +
                                         " of this stream are missing: what the process did then is lost"
                                   : "segment " + std::to_string(segment) + " follows segment " +
                                         std::to_string(segment_));
        if (segment > expected) info.missing_segments += static_cast<uint64_t>(segment - expected);
        late_ = true;
      }
      segment_ = segment;
      return true;
    }
    StreamInfo info;
    info.path = path;
    info.format = "binary";
    info.format_version = version;
    info.header_json = header.dump();
    ApplyHeader(header, &info, &origin_ns_);
    stream_ = AddStream(std::move(info));
    strings_.assign(1, std::string_view());
    sparse_strings_.clear();
    store_ids_.clear();
    stream_base_ = 0;
    seq_ = 0;
    segment_ = segment;
    late_ = segment > 0;
    if (late_) ResumeOpenCallbacks(header);
    return true;
  }

  // A stream read from a later segment starts inside the callbacks its
  // header names (entered in a deleted segment): each gets a `before`
  // (not observed: no eid/tid to check), so that their `after`s pair.
  void ResumeOpenCallbacks(const json& header) {
    auto it = header.find("openCallbacks");
    if (it == header.end()) return;
    if (!it->is_array() || it->size() > kMaxOpenCallbacks) {
      Problem(path_, 16, false, "header: \"openCallbacks\" is not a list of async ids; ignored");
      return;
    }
    double ts_ms = 0;
    auto ts = header.find("segmentTs");
    if (ts != header.end() && ts->is_number()) ts_ms = ts->get<double>();
    int64_t offset_ns = 0;
    if (!ToOffsetNs(ts_ms, &offset_ns)) offset_ns = 0;
    for (const auto& id : *it) {
      int64_t value = 0;
      if (!JsonInteger(id, &value) || value <= 0) {
        Problem(path_, 16, false, "header: \"openCallbacks\" holds something that is not an async id; ignored");
        pending_.clear();
        return;
      }
      Event e;
      e.kind = EventKind::kBefore;
      e.stream = stream_;
      e.location = 16;
      e.async_id = AsyncId(value);
      e.observed = false;
      e.ts_ns = origin_ns_ + offset_ns;
      e.seq = seq_++;
      ++streams_[stream_].events;
      pending_.push_back(e);
    }
  }

  // String `id` of the stream, or nullptr when it is 0 or not defined: in
  // id order, or (a stream read from a later segment) kept aside after a
  // gap in the ids.
  const std::string_view* FindString(uint32_t id) const {
    if (id == 0) return nullptr;
    if (id < strings_.size()) return &strings_[id];
    if (sparse_strings_.empty()) return nullptr;
    auto it = sparse_strings_.find(id);
    return it == sparse_strings_.end() ? nullptr : &it->second;
  }

  std::string_view StringRef(uint32_t id, const char* what) {
    if (id == 0) return {};
    if (const std::string_view* text = FindString(id)) return *text;
    Problem(path_, record_offset_, false,
            std::string(what) + " refers to string " + std::to_string(id) + ", never defined");
    return {};
  }

  // Defines string `id` of the stream. A segment defines again the strings
  // of the segments before it: the same text under the same id is no news.
  // A stream read from a later segment has gaps in its ids (strings only
  // the deleted segments used): those after a gap are kept aside.
  void DefineString(uint32_t id, const uint8_t* bytes, size_t len) {
    std::string_view text(reinterpret_cast<const char*>(bytes), len);
    if (const std::string_view* known = FindString(id)) {
      if (*known != text)
        Problem(path_, record_offset_, false, "string id " + std::to_string(id) + " defined again with another text; "
                                              "the first is kept");
    } else if (id == strings_.size()) {
      string_pool_.emplace_back(text);
      strings_.push_back(string_pool_.back());
    } else if (late_ && id != 0) {
      string_pool_.emplace_back(text);
      sparse_strings_.emplace(id, string_pool_.back());
    } else {
      Problem(path_, record_offset_, false,
              "string id " + std::to_string(id) + " out of order (expected " + std::to_string(strings_.size()) +
                  "); ignored");
    }
  }

  // A stream read from a later segment meets its stores in any order (each
  // segment defines again those it uses): they are numbered 1, 2, ... as
  // they come, like the recorder numbers a whole stream's.
  StoreId LocalStore(int64_t recorded) {
    if (!late_ || recorded == 0) return recorded;
    auto it = store_ids_.find(recorded);
    if (it != store_ids_.end()) return it->second;
    StoreId local = static_cast<StoreId>(stores_[stream_].size());
    DefineStore(stream_, local, "(defined before the kept segments)", "other");
    store_ids_.emplace(recorded, local);
    return local;
  }

  // Decodes records until one is an event for the caller; false at the end
  // of this stream.
  bool ReadRecord(Event* ev) {
    for (;;) {
      if (!Fill(kRecordSize)) {
        size_t left = buf_.size() - pos_;
        if (status_.ok() && left > 0) {
          Problem(path_, offset_, false,
                  "truncated record (" + std::to_string(left) +
                      " trailing bytes ignored; the process was probably killed mid-write)");
        }
        return false;
      }
      const uint8_t* r = buf_.data() + pos_;
      record_offset_ = offset_;
      pos_ += kRecordSize;
      offset_ += kRecordSize;
      uint32_t kind, name, site, aux;
      double a, b, eid, tid, ts;
      std::memcpy(&kind, r, 4);
      std::memcpy(&name, r + 4, 4);
      std::memcpy(&a, r + 8, 8);
      std::memcpy(&b, r + 16, 8);
      std::memcpy(&eid, r + 24, 8);
      std::memcpy(&tid, r + 32, 8);
      std::memcpy(&ts, r + 40, 8);
      std::memcpy(&site, r + 48, 4);
      std::memcpy(&aux, r + 52, 4);

      auto k = static_cast<EventKind>(kind);
      if (k == EventKind::kString) {
        int64_t len = 0;
        if (!SafeIntegerFromDouble(a, &len) || len < 0 || static_cast<uint64_t>(len) > kMaxStringBytes) {
          Problem(path_, record_offset_, false, "string record with an invalid length");
          continue;
        }
        size_t padded = (static_cast<size_t>(len) + kRecordSize - 1) / kRecordSize * kRecordSize;
        if (!Fill(padded)) {
          if (status_.ok())
            Problem(path_, record_offset_, false, "truncated string record at end of stream");
          return false;
        }
        DefineString(name, buf_.data() + pos_, static_cast<size_t>(len));
        pos_ += padded;
        offset_ += padded;
        continue;
      }
      if (k == EventKind::kStore) {
        int64_t id = 0;
        if (!SafeIntegerFromDouble(a, &id) || id <= 0) {
          Problem(path_, record_offset_, false, "store record with an invalid store id");
          continue;
        }
        std::string label(StringRef(name, "store label"));
        if (late_) {
          StoreId local = LocalStore(id);
          DefineStore(stream_, local, std::move(label), ValueKindName(aux));
        } else if (!DefineStore(stream_, id, std::move(label), ValueKindName(aux))) {
          Problem(path_, record_offset_, false, "store id " + std::to_string(id) + " out of order; ignored");
        }
        continue;
      }
      if (k == EventKind::kSource) {
        std::string_view file = StringRef(name, "source file name");
        int64_t text_id = 0;
        std::string_view text;
        if (file.empty() || !SafeIntegerFromDouble(a, &text_id) || !DefinedString(text_id, &text)) {
          Problem(path_, record_offset_, false, "source record without a defined file name and text");
          continue;
        }
        DefineSource(stream_, file, text);
        continue;
      }
      if (k == EventKind::kFunctions) {
        std::string_view file = StringRef(name, "functions file name");
        int64_t text_id = 0, count = 0;
        std::string_view text;
        if (file.empty() || !SafeIntegerFromDouble(a, &text_id) || !DefinedString(text_id, &text) ||
            !SafeIntegerFromDouble(b, &count)) {
          Problem(path_, record_offset_, false, "functions record without a defined file name and extents");
          continue;
        }
        std::string why = DefineFunctions(stream_, file, text, count);
        if (!why.empty()) Problem(path_, record_offset_, false, why + " (" + std::string(file) + "); ignored");
        continue;
      }
      const char* kind_name = EventKindName(k);
      if (!kind_name) {
        Problem(path_, record_offset_, false, "unknown record kind " + std::to_string(kind));
        continue;
      }
      Event e;
      e.kind = k;
      e.stream = stream_;
      e.location = stream_base_ + record_offset_;
      int64_t ia = 0, ib = 0, ieid = 0, itid = 0, offset_ns = 0;
      if (!SafeIntegerFromDouble(a, &ia) || !SafeIntegerFromDouble(b, &ib) || !SafeIntegerFromDouble(eid, &ieid) ||
          !SafeIntegerFromDouble(tid, &itid) ||
          !ToOffsetNs(ts, &offset_ns)) {
        Problem(path_, record_offset_, false,
                std::string(kind_name) + " record with a non-integer id or bad timestamp");
        continue;
      }
      if (IsAlsEvent(k)) {
        e.storage = ia;
        e.store = LocalStore(ib);
      } else {
        e.async_id = AsyncId(ia);
        e.trigger_id = AsyncId(ib);
      }
      if (k == EventKind::kStreamEnd) {
        e.exit_code = ia;
        streams_[stream_].ended_cleanly = true;
        streams_[stream_].exit_code = ia;
      }
      e.observed_eid = AsyncId(ieid);
      e.observed_tid = AsyncId(itid);
      e.ts_ns = origin_ns_ + offset_ns;
      if (k == EventKind::kAlsGetStore || k == EventKind::kAlsExpect)
        e.callers = StringRef(name, kind_name);
      else
        e.type = StringRef(name, kind_name);
      e.site = StringRef(site, kind_name);
      e.enclosing = StringRef(aux, kind_name);
      if (k == EventKind::kListenerAdd || k == EventKind::kEmitBegin || k == EventKind::kEmitEnd) {
        e.emitter = ia;
        e.listener = ib;
      }
      e.seq = seq_++;
      ++streams_[stream_].events;
      *ev = e;
      return true;
    }
  }

  // A string id the stream defined, as a record's f64 field names it;
  // false for 0, undefined ones and numbers that are no string id.
  bool DefinedString(int64_t id, std::string_view* out) const {
    if (id <= 0 || id > static_cast<int64_t>(UINT32_MAX)) return false;
    const std::string_view* text = FindString(static_cast<uint32_t>(id));
    if (text) *out = *text;
    return text != nullptr;
  }

  static constexpr size_t kMaxOpenCallbacks = 4096;

  std::vector<std::string> files_;
  std::vector<std::string> stems_;  // per file: directory and stem (segments of one stream share it)
  std::string open_stem_;           // the stem of the stream being read
  int64_t segment_ = 0;             // the segment being read
  // The stream is read from a later segment, or one is missing: stores are
  // renumbered and string ids may have gaps.
  bool late_ = false;
  std::unordered_map<uint32_t, std::string_view> sparse_strings_;
  std::unordered_map<int64_t, StoreId> store_ids_;  // recorded store id -> this reader's
  std::deque<Event> pending_;       // synthesized befores of a stream read from a later segment
  uint64_t stream_base_ = 0;        // the stream's bytes in segments before this file
  size_t next_file_ = 0;
  bool unsupported_version_ = false;
  FILE* file_ = nullptr;
  std::string path_;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;         // file offset of buf_[pos_]
  uint64_t record_offset_ = 0;  // file offset of the record being decoded
  uint32_t stream_ = 0;
  uint64_t seq_ = 0;
  int64_t origin_ns_ = 0;
  // Strings of the current stream by id, viewing string_pool_, which keeps
  // every string of every stream alive (and unmoved) for the reader's life.
  std::vector<std::string_view> strings_;
  std::deque<std::string> string_pool_;
  uint64_t bytes_read_ = 0, total_bytes_ = 0;  // over all files, for progress
};

// Reads the NDJSON interchange form: one JSON object per line.
class NdjsonTraceReader : public TraceReader {
 public:
  NdjsonTraceReader(std::string path, std::ifstream in)
      : path_(std::move(path)), in_(std::move(in)), total_bytes_(TotalFileSize({path_})) {}

  InputPosition Position() const override {
    std::streamoff at = in_.tellg();
    return {at > 0 ? static_cast<uint64_t>(at) : total_bytes_, total_bytes_};
  }

  bool ReadNext(Event* ev) override {
    std::string line;
    while (status_.ok() && std::getline(in_, line)) {
      ++line_no_;
      // A byte-order mark, as some editors and Windows tools write one.
      if (line_no_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (JsonNestsDeeperThan(line)) {
        if (line_no_ == 1) {
          status_ = InvalidTrace(path_ + ":1: not an ahtrace trace (JSON nested deeper than " +
                                 std::to_string(kMaxJsonNesting) + " levels)");
          return false;
        }
        Problem(path_, line_no_, true,
                "JSON nested deeper than " + std::to_string(kMaxJsonNesting) + " levels; line ignored");
        continue;
      }
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        if (line_no_ == 1) {
          status_ = InvalidTrace(path_ + ":1: not an ahtrace trace (first line is not a JSON object)");
          return false;
        }
        Problem(path_, line_no_, true, "not a JSON object");
        continue;
      }
      // nlohmann's typed accessors throw on a field of the wrong type: a
      // bad line becomes a problem (the header: an invalid trace), never an
      // exception out of the reader.
      try {
        if (!seen_header_) {
          if (!ReadHeader(j)) return false;
          continue;
        }
        if (Decode(j, ev)) return true;
      } catch (const nlohmann::json::exception& e) {
        if (!seen_header_) {
          status_ = InvalidTrace(path_ + ":" + std::to_string(line_no_) + ": bad header: " + e.what());
          return false;
        }
        Problem(path_, line_no_, true, std::string("a field has the wrong type: ") + e.what());
      }
    }
    if (in_.bad()) status_ = InvalidTrace(path_ + ": read error");
    return false;
  }

 private:
  // Line 1: {"format":"ahtrace-ndjson","version":1}. False (and status_
  // set) when it is not.
  bool ReadHeader(const json& j) {
    if (j.value("format", "") != "ahtrace-ndjson") {
      status_ = InvalidTrace(path_ + ":" + std::to_string(line_no_) +
                             ": not an ahtrace trace (expected {\"format\":\"ahtrace-ndjson\",...})");
      return false;
    }
    int64_t version = 0;
    if (auto v = j.find("version"); v != j.end() && !JsonInteger(*v, &version)) {
      status_ = InvalidTrace(path_ + ":" + std::to_string(line_no_) + ": bad header: \"version\" is not an integer");
      return false;
    }
    if (version < kOldestSupportedFormatVersion || version > kTraceFormatVersion) {
      status_ = InvalidTrace(path_ + ":" + std::to_string(line_no_) + ": trace format version " +
                             std::to_string(version) + " is not supported");
      return false;
    }
    version_ = static_cast<uint32_t>(version);
    seen_header_ = true;
    return true;
  }

  bool GetId(const json& j, const char* key, int64_t* out, bool required = true) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      *out = 0;
      if (required) Problem(path_, line_no_, true, std::string("missing \"") + key + "\"");
      return !required;
    }
    if (JsonInteger(*it, out)) return true;
    Problem(path_, line_no_, true, std::string("\"") + key + "\" is not an integer");
    return false;
  }

  std::string_view Intern(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    return *strings_.insert(it->get<std::string>()).first;
  }

  bool Decode(const json& j, Event* ev) {
    std::string kind_name = j.value("kind", "");
    int64_t stream_key = 0;
    if (!GetId(j, "stream", &stream_key)) return false;
    if (kind_name == "stream") {
      if (stream_index_.count(stream_key)) {
        Problem(path_, line_no_, true, "stream " + std::to_string(stream_key) + " declared twice");
        return false;
      }
      StreamInfo info;
      info.path = path_;
      info.format = "ndjson";
      info.format_version = version_;
      info.header_json = j.dump();
      int64_t origin = 0;
      ApplyHeader(j, &info, &origin);
      stream_index_[stream_key] = {AddStream(std::move(info)), origin, 0};
      return false;
    }
    auto s = stream_index_.find(stream_key);
    if (s == stream_index_.end()) {
      Problem(path_, line_no_, true, "event for stream " + std::to_string(stream_key) + ", never declared");
      return false;
    }
    StreamState& st = s->second;
    if (kind_name == "store") {
      int64_t id = 0;
      if (!GetId(j, "store", &id)) return false;
      if (!DefineStore(st.index, id, j.value("label", ""), j.value("valueKind", "other")))
        Problem(path_, line_no_, true, "store id " + std::to_string(id) + " out of order; ignored");
      return false;
    }
    if (kind_name == "source") {
      auto file = j.find("file");
      auto text = j.find("text");
      if (file == j.end() || !file->is_string() || file->get_ref<const std::string&>().empty() || text == j.end() ||
          !text->is_string()) {
        Problem(path_, line_no_, true, "source line without \"file\" and \"text\" strings");
        return false;
      }
      DefineSource(st.index, Intern(j, "file"), Intern(j, "text"));
      return false;
    }
    if (kind_name == "functions") {
      auto file = j.find("file");
      auto extents = j.find("extents");
      auto count = j.find("count");
      if (file == j.end() || !file->is_string() || file->get_ref<const std::string&>().empty() ||
          extents == j.end() || !extents->is_string() || count == j.end() || !count->is_number_integer()) {
        Problem(path_, line_no_, true, "functions line without \"file\", \"extents\" strings and an integer \"count\"");
        return false;
      }
      int64_t n = count->is_number_unsigned() && count->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                      ? -1
                      : count->get<int64_t>();
      std::string_view file_name = Intern(j, "file");
      std::string why = DefineFunctions(st.index, file_name, Intern(j, "extents"), n);
      if (!why.empty()) Problem(path_, line_no_, true, why + " (" + std::string(file_name) + "); ignored");
      return false;
    }
    EventKind kind;
    if (!EventKindFromName(kind_name, &kind) || kind == EventKind::kString || kind == EventKind::kStore ||
        kind == EventKind::kSource || kind == EventKind::kFunctions) {
      Problem(path_, line_no_, true, "unknown event kind \"" + kind_name + "\"");
      return false;
    }
    Event e;
    e.kind = kind;
    e.stream = st.index;
    e.location = line_no_;
    int64_t v = 0;
    if (IsHookEvent(kind)) {
      if (!GetId(j, "asyncId", &v)) return false;
      e.async_id = AsyncId(v);
      if (kind == EventKind::kInit) {
        if (!GetId(j, "triggerAsyncId", &v)) return false;
        e.trigger_id = AsyncId(v);
        e.type = Intern(j, "type");
      }
    } else if (IsAlsEvent(kind)) {
      if (!GetId(j, "storage", &e.storage)) return false;
      if (!GetId(j, "store", &e.store, false)) return false;
    } else if (kind == EventKind::kStreamEnd) {
      if (!GetId(j, "exitCode", &e.exit_code, false)) return false;
      streams_[st.index].ended_cleanly = true;
      streams_[st.index].exit_code = e.exit_code;
    } else if (kind == EventKind::kProcessEmitBegin || kind == EventKind::kProcessEmitEnd) {
      e.type = Intern(j, "event");
    } else if (kind == EventKind::kListenerAdd || kind == EventKind::kEmitBegin || kind == EventKind::kEmitEnd) {
      e.type = Intern(j, "event");
      if (!GetId(j, "emitter", &e.emitter)) return false;
      if (!GetId(j, "listener", &e.listener, false)) return false;
    }
    e.enclosing = Intern(j, "enclosing");
    e.callers = Intern(j, "callers");
    e.observed = j.contains("eid");
    if (!GetId(j, "eid", &v, false)) return false;
    e.observed_eid = AsyncId(v);
    if (!GetId(j, "tid", &v, false)) return false;
    e.observed_tid = AsyncId(v);
    auto ts = j.find("ts");
    int64_t offset_ns = 0;
    if (ts != j.end() && !ts->is_null() && (!ts->is_number() || !ToOffsetNs(ts->get<double>(), &offset_ns))) {
      Problem(path_, line_no_, true, "\"ts\" is not a time in milliseconds within 31 years of the origin");
      return false;
    }
    e.ts_ns = st.origin_ns + offset_ns;
    e.site = Intern(j, "site");
    e.seq = st.seq++;
    ++streams_[st.index].events;
    *ev = e;
    return true;
  }

  struct StreamState {
    uint32_t index;
    int64_t origin_ns;
    uint64_t seq;
  };
  std::string path_;
  mutable std::ifstream in_;  // mutable: Position() asks it tellg()
  uint64_t line_no_ = 0;
  bool seen_header_ = false;
  uint32_t version_ = 0;
  std::map<int64_t, StreamState> stream_index_;
  std::unordered_set<std::string> strings_;
  uint64_t total_bytes_ = 0;
};

// Stream files sort by (pid, thread id, name) so a trace always replays in
// the same order.
// Segments of one stream (`record --max-size`) sort by their number, not
// by name (.10 after .9).
struct StreamFileKey {
  long long pid = 0, thread = 0;
  std::string stem;
  uint64_t segment = 0;
  bool operator<(const StreamFileKey& o) const {
    return std::tie(pid, thread, stem, segment) < std::tie(o.pid, o.thread, o.stem, o.segment);
  }
};

// The files of a trace directory with extension `ext`, each with its
// p<pid>-t<thread> key, in (pid, thread, stem, segment) order.
std::vector<std::pair<StreamFileKey, fs::path>> ListTraceFiles(const std::string& dir, const char* ext) {
  std::vector<std::pair<StreamFileKey, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec) || entry.path().extension() != ext) continue;
    StreamFileKey key;
    std::string name = entry.path().filename().string();
    std::sscanf(name.c_str(), "p%lld-t%lld", &key.pid, &key.thread);
    StreamSegmentOf(name, &key.stem, &key.segment);
    found.emplace_back(key, entry.path());
  }
  std::sort(found.begin(), found.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  return found;
}

}  // namespace

void StreamSegmentOf(const std::string& file_name, std::string* stem, uint64_t* segment) {
  std::string name = file_name.substr(0, file_name.rfind('.'));  // without the extension
  *stem = name;
  *segment = 0;
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 == name.size() || name.size() - dot > 10) return;
  if (name.find_first_not_of("0123456789", dot + 1) != std::string::npos) return;
  *segment = std::strtoull(name.c_str() + dot + 1, nullptr, 10);
  *stem = name.substr(0, dot);
}

std::vector<std::string> ListStreamFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (auto& [key, path] : ListTraceFiles(dir, ".ahs")) files.push_back(path.string());
  return files;
}

std::vector<StreamSegments> ListStreams(const std::string& dir) {
  std::vector<StreamSegments> streams;
  for (auto& [key, path] : ListTraceFiles(dir, ".ahs")) {
    if (streams.empty() || streams.back().stem != key.stem) streams.push_back(StreamSegments{key.stem, {}});
    streams.back().segments.push_back({key.segment, path.string()});
  }
  return streams;
}

StreamTail InspectStreamTail(const std::string& path) {
  StreamTail tail;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return tail;
  unsigned char head[16];
  uint64_t size = 0;
  if (std::fread(head, 1, 16, f) == 16 && std::memcmp(head, kMagic, 8) == 0 && std::fseek(f, 0, SEEK_END) == 0) {
    long end = std::ftell(f);
    uint32_t header_len = static_cast<uint32_t>(head[12]) | static_cast<uint32_t>(head[13]) << 8 |
                          static_cast<uint32_t>(head[14]) << 16 | static_cast<uint32_t>(head[15]) << 24;
    size = end > 0 ? static_cast<uint64_t>(end) : 0;
    if (size >= 16 + static_cast<uint64_t>(header_len)) {
      tail.header_ok = true;
      tail.record_bytes = size - 16 - header_len;
      unsigned char last[4];
      if (tail.record_bytes >= kRecordSize && tail.record_bytes % kRecordSize == 0 &&
          std::fseek(f, static_cast<long>(size - kRecordSize), SEEK_SET) == 0 && std::fread(last, 1, 4, f) == 4) {
        tail.ended = last[0] == static_cast<unsigned char>(EventKind::kStreamEnd) && !last[1] && !last[2] && !last[3];
      }
    }
  }
  std::fclose(f);
  return tail;
}

std::vector<RecorderFailure> ListRecorderFailures(const std::string& dir) {
  std::vector<RecorderFailure> out;
  for (const auto& [key, path] : ListTraceFiles(dir, ".failed")) {
    RecorderFailure f;
    f.file = path.string();
    f.pid = key.pid;
    f.thread_id = key.thread;
    f.message = "the recorder failed to start (no reason was saved)";
    // Untrusted: read at most 64 KiB; a value that is not the object the
    // recorder writes leaves the defaults.
    std::ifstream in(f.file, std::ios::binary);
    std::string text(64 * 1024, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object()) {
      if (j.contains("error") && j["error"].is_string()) f.message = j["error"].get<std::string>();
      if (j.contains("node") && j["node"].is_string()) f.node_version = j["node"].get<std::string>();
    }
    out.push_back(std::move(f));
  }
  return out;
}

int NodeMajorVersion(const std::string& version) {
  if (version.size() < 2 || version[0] != 'v' || !std::isdigit(static_cast<unsigned char>(version[1]))) return -1;
  return std::atoi(version.c_str() + 1);
}

std::unique_ptr<TraceReader> OpenTrace(const std::string& path, Status* status) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    auto files = ListStreamFiles(path);
    auto failures = ListRecorderFailures(path);
    if (files.empty() && failures.empty()) {
      // node's own logs, rotated (node_trace.1.log, node_trace.2.log, ...)
      // or one per process: one trace.
      auto logs = ListTraceEventLogs(path);
      if (!logs.empty()) return OpenTraceEventLogs(std::move(logs), status);
    }
    if (files.empty()) {
      std::string why = failures.empty() ? "was anything recorded?"
                                         : "the recorder failed to start in pid " + std::to_string(failures[0].pid) +
                                               ": " + failures[0].message;
      *status = InvalidTrace(path + ": no stream files (*.ahs) in this directory; " + why);
      return nullptr;
    }
    *status = Status::Ok();
    auto reader = std::make_unique<BinaryTraceReader>(std::move(files));
    reader->set_recorder_failures(std::move(failures));
    return reader;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *status = InvalidTrace(path + ": cannot open: " + std::strerror(errno));
    return nullptr;
  }
  char first[8] = {0};
  in.read(first, 8);
  // Judged by what reading gives, not by the size the file system reports:
  // /proc files and pipes report 0 bytes and still have content.
  if (in.gcount() == 0) {
    *status = InvalidTrace(path + (in.bad() ? ": cannot read: " + std::string(std::strerror(errno))
                                            : std::string(": empty file, not a trace")));
    return nullptr;
  }
  if (in.gcount() == 8 && std::memcmp(first, kMagic, 8) == 0) {
    *status = Status::Ok();
    return std::make_unique<BinaryTraceReader>(std::vector<std::string>{path});
  }
  in.clear();
  in.seekg(0);
  size_t skip = first[0] == '\xEF' && first[1] == '\xBB' && first[2] == '\xBF' ? 3 : 0;  // byte-order mark
  while (skip < 8 && (first[skip] == ' ' || first[skip] == '\n' || first[skip] == '\r' || first[skip] == '\t')) ++skip;
  if (skip < 8 && first[skip] == '{') {
    char head[256] = {0};
    in.read(head, sizeof head - 1);
    std::string start(head, static_cast<size_t>(in.gcount()));
    if (LooksLikeTraceEvents(start)) return OpenTraceEvents(path, status);
    in.clear();
    in.seekg(0);
    *status = Status::Ok();
    return std::make_unique<NdjsonTraceReader>(path, std::move(in));
  }
  *status = InvalidTrace(path + ": not an ahtrace trace (neither a binary stream, NDJSON, nor a node trace-event log)");
  return nullptr;
}

}  // namespace ahtrace
