#include "sinks/ndjson_writer.h"

#include "common/io_error.h"
#include "common/output_file.h"

#include <cstdio>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace ahtrace {
using json = nlohmann::json;

namespace {

class LineWriter {
 public:
  explicit LineWriter(FILE* f) : f_(f) {}
  void Write(const json& j) {
    std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    s += '\n';
    if (std::fwrite(s.data(), 1, s.size(), f_) != s.size() && !failed_) {
      failed_ = true;
      error_ = errno;
    }
  }
  bool failed() const { return failed_; }
  int error() const { return error_; }  // errno of the first failed write

 private:
  FILE* f_;
  bool failed_ = false;
  int error_ = 0;
};

json EventToJson(const Event& e, const StreamInfo& stream) {
  json j;
  j["kind"] = EventKindName(e.kind);
  j["stream"] = e.stream;
  if (IsHookEvent(e.kind)) {
    j["asyncId"] = e.async_id.value;
    if (e.kind == EventKind::kInit) {
      j["type"] = std::string(e.type);
      j["triggerAsyncId"] = e.trigger_id.value;
    }
  } else if (IsAlsEvent(e.kind)) {
    j["storage"] = e.storage;
    if (e.kind == EventKind::kAlsRunBegin || e.kind == EventKind::kAlsRunEnd ||
        e.kind == EventKind::kAlsEnterWith || e.kind == EventKind::kAlsGetStore ||
        e.kind == EventKind::kAlsExpect)
      j["store"] = e.store;
  } else if (e.kind == EventKind::kStreamEnd) {
    j["exitCode"] = e.exit_code;
  } else if (e.kind == EventKind::kProcessEmitBegin || e.kind == EventKind::kProcessEmitEnd) {
    j["event"] = std::string(e.type);
  } else if (e.kind == EventKind::kListenerAdd || e.kind == EventKind::kEmitBegin ||
             e.kind == EventKind::kEmitEnd) {
    j["event"] = std::string(e.type);
    j["emitter"] = e.emitter;
    if (e.kind == EventKind::kListenerAdd) j["listener"] = e.listener;
  }
  if (e.observed) {
    j["eid"] = e.observed_eid.value;
    j["tid"] = e.observed_tid.value;
  }
  j["ts"] = static_cast<double>(e.ts_ns - stream.time_origin_ns) / 1e6;
  if (!e.site.empty()) j["site"] = std::string(e.site);
  if (!e.enclosing.empty()) j["enclosing"] = std::string(e.enclosing);
  if (!e.callers.empty()) j["callers"] = std::string(e.callers);
  return j;
}

}  // namespace

Status WriteNdjson(TraceReader& reader, const std::string& output) {
  bool to_stdout = output == "-";
  std::string tmp = TemporaryPathFor(output);
  FILE* f = to_stdout ? stdout : std::fopen(tmp.c_str(), "wb");
  if (!f) return OutputError(output + ": cannot create " + tmp + ": " + IoErrorText(errno));
  LineWriter w(f);
  w.Write({{"format", "ahtrace-ndjson"}, {"version", kTraceFormatVersion}});
  size_t streams_written = 0;
  std::vector<size_t> stores_written, sources_written, functions_written;
  auto write_sources = [&](uint32_t stream) {
    const auto& sources = reader.sources(stream);
    for (size_t& n = sources_written[stream]; n < sources.size(); ++n)
      w.Write({{"kind", "source"}, {"stream", stream}, {"file", sources[n].file}, {"text", sources[n].text}});
    const auto& functions = reader.functions(stream);
    for (size_t& n = functions_written[stream]; n < functions.size(); ++n)
      w.Write({{"kind", "functions"},
               {"stream", stream},
               {"file", functions[n].file},
               {"extents", functions[n].text},
               {"count", functions[n].count}});
  };
  Event ev;
  while (reader.Next(&ev)) {
    while (streams_written < reader.streams().size()) {
      const StreamInfo& info = reader.streams()[streams_written];
      json h = json::parse(info.header_json, nullptr, false);
      if (!h.is_object()) h = json::object();
      h.erase("format");
      h.erase("version");
      h["kind"] = "stream";
      h["stream"] = streams_written;
      w.Write(h);
      stores_written.push_back(1);
      sources_written.push_back(0);
      functions_written.push_back(0);
      ++streams_written;
    }
    const auto& stores = reader.stores(ev.stream);
    for (size_t& n = stores_written[ev.stream]; n < stores.size(); ++n) {
      if (stores[n].id == 0) continue;
      w.Write({{"kind", "store"},
               {"stream", ev.stream},
               {"store", stores[n].id},
               {"label", stores[n].label},
               {"valueKind", stores[n].value_kind}});
    }
    write_sources(ev.stream);
    w.Write(EventToJson(ev, reader.streams()[ev.stream]));
  }
  // Sources defined after a stream's last event.
  for (uint32_t s = 0; s < streams_written; ++s) write_sources(s);
  return FinishStreamedOutput(f, tmp, output, reader.status(), w.failed() ? (w.error() ? w.error() : EIO) : 0);
}

}  // namespace ahtrace
