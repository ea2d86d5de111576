// Writes one binary stream (.ahs) in trace format version 1. The recorder
// writes the same layout from JavaScript; this writer serves conversion and
// tests, which build traces event by event.
#pragma once

#include <cstdio>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "trace/event.h"

namespace ahtrace {

class BinaryStreamWriter {
 public:
  ~BinaryStreamWriter();
  // `header_json` is the stream header object (docs/trace-format.md).
  Status Open(const std::string& path, const std::string& header_json);
  // Defines a store label before its first use (value_kind as in the spec).
  void DefineStore(StoreId id, const std::string& label, uint32_t value_kind = 1);
  // A program file's text (source record) and its extents as the
  // recorder's parser gives them (functions record, `count` entries; the
  // text is written as given, so tests can write hostile ones).
  void DefineSource(const std::string& file, const std::string& text);
  void DefineFunctions(const std::string& file, const std::string& extents, double count);
  // Writes one event; `ts_ms` is relative to the header's timeOrigin.
  void Write(const Event& e, double ts_ms);
  Status Close();

 private:
  uint32_t Intern(std::string_view s);
  void Raw(const void* data, size_t n);

  FILE* f_ = nullptr;
  std::string path_;
  bool failed_ = false;
  int error_ = 0;  // errno of the first failed write, for the message
  std::unordered_map<std::string, uint32_t> strings_;
};

}  // namespace ahtrace
