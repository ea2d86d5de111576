#include "check/check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <memory>
#include <memory_resource>
#include <unordered_map>

#include "model/replay.h"

namespace ahtrace::check {
namespace {

struct Pos {
  int line = 0, col = 0;
  bool operator<(const Pos& o) const { return line != o.line ? line < o.line : col < o.col; }
  bool operator==(const Pos& o) const { return line == o.line && col == o.col; }
};

// "file:line:col" -> (file, pos); tolerant of ':' inside the file name.
bool SplitSite(std::string_view site, std::string_view* file, Pos* pos) {
  size_t c2 = site.rfind(':');
  if (c2 == std::string_view::npos || c2 == 0) return false;
  size_t c1 = site.rfind(':', c2 - 1);
  if (c1 == std::string_view::npos) return false;
  *file = site.substr(0, c1);
  pos->line = std::atoi(std::string(site.substr(c1 + 1, c2 - c1 - 1)).c_str());
  pos->col = std::atoi(std::string(site.substr(c2 + 1)).c_str());
  return pos->line > 0;
}

// One user frame: where it is and where its function starts.
struct Frame {
  std::string_view file;
  Pos at, start;
};

// Frames of a read: the site (with `enclosing`), then its callers
// ("file:line:col@line:col" lines).
std::vector<Frame> FramesOf(std::string_view site, std::string_view enclosing, std::string_view callers) {
  std::vector<Frame> frames;
  Frame f;
  std::string_view efile;
  if (SplitSite(site, &f.file, &f.at)) {
    if (!SplitSite(enclosing, &efile, &f.start)) f.start = Pos{};
    frames.push_back(f);
  }
  while (!callers.empty()) {
    size_t nl = callers.find('\n');
    std::string_view line = callers.substr(0, nl);
    callers = nl == std::string_view::npos ? std::string_view() : callers.substr(nl + 1);
    size_t at = line.rfind('@');
    if (at == std::string_view::npos) continue;
    Frame c;
    if (!SplitSite(line.substr(0, at), &c.file, &c.at)) continue;
    std::string_view start = line.substr(at + 1);
    size_t colon = start.find(':');
    if (colon != std::string_view::npos) {
      c.start.line = std::atoi(std::string(start.substr(0, colon)).c_str());
      c.start.col = std::atoi(std::string(start.substr(colon + 1)).c_str());
    }
    frames.push_back(c);
  }
  return frames;
}

std::string FirstCaller(std::string_view callers) {
  std::string_view line = callers.substr(0, callers.find('\n'));
  return std::string(line.substr(0, line.rfind('@')));
}

// A function start at 1:1 is a module's top level (V8 reports the module
// as the enclosing function of code outside any function).
bool IsModuleScope(std::string_view enclosing) {
  return enclosing.empty() || (enclosing.size() > 4 && enclosing.substr(enclosing.size() - 4) == ":1:1");
}

// Library code: a file under a node_modules directory.
bool IsLibraryFile(std::string_view file) { return file.find("/node_modules/") != std::string_view::npos; }

// The package a library file belongs to ("@opentelemetry/api", "p-limit"),
// from its path after the last node_modules/.
std::string PackageOf(std::string_view file) {
  size_t at = file.rfind("/node_modules/");
  if (at == std::string_view::npos) return {};
  std::string_view rest = file.substr(at + std::strlen("/node_modules/"));
  size_t slash = rest.find('/');
  if (!rest.empty() && rest[0] == '@' && slash != std::string_view::npos) slash = rest.find('/', slash + 1);
  return std::string(rest.substr(0, slash));
}

// A read's frames as "file:line:col": the getStore() call, then its callers.
std::vector<std::string> ReadFrames(std::string_view site, std::string_view callers) {
  std::vector<std::string> frames;
  if (!site.empty()) frames.emplace_back(site);
  while (!callers.empty()) {
    size_t nl = callers.find('\n');
    std::string_view line = callers.substr(0, nl);
    frames.emplace_back(line.substr(0, line.rfind('@')));
    callers = nl == std::string_view::npos ? std::string_view() : callers.substr(nl + 1);
  }
  return frames;
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// The program's sources as the trace holds them (the recorder writes the
// text of every file a site points into): never the reading machine's
// disk, so that a verdict is a function of the trace alone and a trace
// cannot make ahtrace open files. Used for fingerprints (a finding keeps its
// fingerprint when unrelated edits move its line, because the line's text
// is hashed, not its number) and to tell whether one function is defined
// inside another: from the recorder parser's extents (functions records)
// where the trace has them, else with a bracket scanner over the text.
// Without a file's text both fall back to what the trace's sites hold.
//
// The one exception is the user's own choice: with --source-root DIR, a
// file under a recording's working directory is read from the same
// relative path under DIR (the live checkout), falling back to the trace's
// copy where DIR has no such file. The extents always come from the trace:
// they describe the code that ran, which the trace's positions point into.
class SourceLines {
 public:
  SourceLines(const TraceReader& reader, std::string source_root)
      : reader_(reader), source_root_(std::move(source_root)) {}

  // For the report: how --source-root went.
  int live_files() const { return live_files_; }
  const std::set<std::string>& not_under_root() const { return not_under_root_; }

  std::string Text(const std::string& file, int line) {
    const File& f = Load(file);
    if (line <= 0 || static_cast<size_t>(line) > f.line_starts.size()) return {};
    size_t b = f.line_starts[static_cast<size_t>(line) - 1];
    size_t e = f.text.find('\n', b);
    std::string l(f.text.substr(b, e == std::string::npos ? std::string::npos : e - b));
    size_t lb = l.find_first_not_of(" \t"), le = l.find_last_not_of(" \t\r");
    return lb == std::string::npos ? std::string() : l.substr(lb, le - lb + 1);
  }

  // Lines [first, last] (1-based, clipped to the file) as recorded,
  // untrimmed; empty when the trace does not hold the file.
  SourceExcerpt Excerpt(const std::string& file, int first, int last) {
    const File& f = Load(file);
    SourceExcerpt out;
    first = std::max(first, 1);
    last = std::min<int64_t>(last, static_cast<int64_t>(f.line_starts.size()));
    for (int line = first; line <= last; ++line) {
      size_t b = f.line_starts[static_cast<size_t>(line) - 1];
      size_t e = f.text.find('\n', b);
      std::string_view l = f.text.substr(b, e == std::string::npos ? std::string::npos : e - b);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      out.lines.emplace_back(l);
    }
    if (!out.lines.empty()) out.first_line = first;
    return out;
  }

  // Whether `inner` lies inside the body of the function starting at
  // `outer`. 0 = no, 1 = yes, -1 = cannot tell.
  //
  // The parser's answer when the trace has the file's functions record and
  // it lists a function starting at `outer`: inner lies in that body's
  // extent. Otherwise (an older trace, a file the recorder did not parse, a
  // start the record does not list) the scanner's: from outer's first '{',
  // bracket depth never closes that body before inner, skipping strings,
  // template literals and comments, which regular expressions, `${...}`
  // and the like defeat; -1 when there is no source or no block body.
  int Contains(const std::string& file, Pos outer, Pos inner) {
    if (const SourceExtents* x = reader_.FunctionExtents(file)) {
      if (const FunctionExtent* fn = x->FunctionAt(ToSource(outer))) {
        SourcePos at = ToSource(inner);
        return fn->body_begin <= at && at < fn->body_end ? 1 : 0;
      }
    }
    const File& f = Load(file);
    size_t from = Offset(f, outer), to = Offset(f, inner);
    if (from == std::string::npos || to == std::string::npos || to <= from) return -1;
    std::string_view t = f.text;
    int depth = 0;
    bool open = false;
    for (size_t i = from; i < to; ++i) {
      char ch = t[i];
      if (ch == '/' && i + 1 < t.size() && t[i + 1] == '/') {
        i = t.find('\n', i);
        if (i == std::string::npos) return -1;
      } else if (ch == '/' && i + 1 < t.size() && t[i + 1] == '*') {
        i = t.find("*/", i + 2);
        if (i == std::string::npos) return -1;
        ++i;
      } else if (ch == '"' || ch == '\'' || ch == '`') {
        for (++i; i < t.size() && t[i] != ch; ++i)
          if (t[i] == '\\') ++i;
      } else if (ch == '{') {
        ++depth;
        open = true;
      } else if (ch == '}') {
        if (--depth <= 0 && open) return 0;
      } else if (ch == ';' && !open && depth == 0) {
        return -1;  // an expression-bodied arrow ended before a block began
      }
    }
    return open ? 1 : -1;
  }

  // The parser's answer alone: 1 or 0 as InCallArguments, -1 when the
  // trace has no functions record for `file`.
  int ParsedInCallArguments(const std::string& file, Pos call, Pos inner) const {
    const SourceExtents* x = reader_.FunctionExtents(file);
    if (!x) return -1;
    const CallExtent* c = x->CallAt(ToSource(call));
    if (!c) return 0;
    SourcePos at = ToSource(inner);
    return c->open < at && at < c->close ? 1 : 0;
  }

  // 1 if `inner` lies inside the argument list of the call whose callee
  // name is at `call` (V8 reports `als.run(...)` at `run`), 0 if not, -1 if
  // it cannot tell. Used to see which functions are written inside the
  // callback passed to run().
  //
  // With the file's functions record the parser answers: it lists every
  // call with a function written in its arguments, so a call it does not
  // list has none there (0). Without it, the scanner (ArgumentExtent).
  int InCallArguments(const std::string& file, Pos call, Pos inner) {
    if (int parsed = ParsedInCallArguments(file, call, inner); parsed >= 0) return parsed;
    const File& f = Load(file);
    size_t from = Offset(f, call), at = Offset(f, inner);
    if (from == std::string::npos || at == std::string::npos) return -1;
    auto key = std::make_pair(file, from);
    auto it = call_extents_.find(key);
    if (it == call_extents_.end()) it = call_extents_.emplace(key, ArgumentExtent(f.text, from)).first;
    auto [open, close] = it->second;
    if (open == std::string::npos) return -1;
    return at > open && at < close ? 1 : 0;
  }

 private:
  struct File {
    std::string_view text;  // in the reader's string pool, or live_text
    std::string live_text;  // read under --source-root
    std::vector<size_t> line_starts;
  };
  static SourcePos ToSource(Pos p) { return SourcePos{p.line, p.col}; }
  // [the call's '(', its matching ')'], or npos when not found.
  static std::pair<size_t, size_t> ArgumentExtent(std::string_view t, size_t from) {
    size_t open = std::string::npos;
    int depth = 0;
    for (size_t i = from; i < t.size(); ++i) {
      char ch = t[i];
      if (ch == '/' && i + 1 < t.size() && t[i + 1] == '/') {
        i = t.find('\n', i);
        if (i == std::string::npos) break;
      } else if (ch == '/' && i + 1 < t.size() && t[i + 1] == '*') {
        i = t.find("*/", i + 2);
        if (i == std::string::npos) break;
        ++i;
      } else if (ch == '"' || ch == '\'' || ch == '`') {
        for (++i; i < t.size() && t[i] != ch; ++i)
          if (t[i] == '\\') ++i;
      } else if (ch == '(' || ch == '{' || ch == '[') {
        if (open == std::string::npos) {
          if (ch != '(') break;  // not a call
          open = i;
        }
        ++depth;
      } else if (ch == ')' || ch == '}' || ch == ']') {
        if (--depth == 0) return {open, i};
        if (depth < 0) break;
      } else if (open == std::string::npos && ch == ';') {
        break;
      }
    }
    return {std::string::npos, std::string::npos};
  }
  const File& Load(const std::string& file) {
    auto it = files_.find(file);
    if (it != files_.end()) return it->second;
    File& f = files_[file];
    f.text = reader_.SourceText(file);
    if (!source_root_.empty()) {
      std::string live_path = UnderSourceRoot(file);
      if (!live_path.empty() && ReadLiveFile(live_path, &f.live_text)) {
        f.text = f.live_text;
        ++live_files_;
      } else if (!live_path.empty() || f.text.empty()) {
        not_under_root_.insert(file);
      }
    }
    f.line_starts.push_back(0);
    for (size_t i = 0; i < f.text.size(); ++i)
      if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
    if (f.text.empty()) f.line_starts.clear();
    return f;
  }
  // `file` moved under --source-root: its path relative to the working
  // directory of the first stream (in trace order) whose cwd holds it, or
  // empty when no recording's cwd holds it.
  std::string UnderSourceRoot(const std::string& file) const {
    for (const StreamInfo& st : reader_.streams()) {
      auto h = nlohmann::json::parse(st.header_json, nullptr, false);
      if (!h.is_object() || !h.contains("cwd") || !h["cwd"].is_string()) continue;
      std::string cwd = h["cwd"].get<std::string>();
      if (cwd.empty() || cwd == "/" || file.rfind(cwd + "/", 0) != 0) continue;
      std::string rel = file.substr(cwd.size() + 1);
      if (rel.find("..") != std::string::npos) return {};  // stays under the root
      return source_root_ + "/" + rel;
    }
    return {};
  }
  // A regular file of at most kMaxLiveSourceBytes, read whole.
  static bool ReadLiveFile(const std::string& path, std::string* out) {
    constexpr off_t kMaxLiveSourceBytes = 16 << 20;
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat sb;
    bool ok = ::fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= kMaxLiveSourceBytes;
    if (ok) {
      out->resize(static_cast<size_t>(sb.st_size));
      size_t got = 0;
      while (ok && got < out->size()) {
        ssize_t n = ::read(fd, out->data() + got, out->size() - got);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) got += static_cast<size_t>(n);
      }
    }
    ::close(fd);
    return ok;
  }
  static size_t Offset(const File& f, Pos p) {
    if (p.line <= 0 || static_cast<size_t>(p.line) > f.line_starts.size()) return std::string::npos;
    size_t off = f.line_starts[static_cast<size_t>(p.line) - 1] + static_cast<size_t>(std::max(p.col, 1) - 1);
    return off <= f.text.size() ? off : std::string::npos;
  }
  const TraceReader& reader_;
  const std::string source_root_;
  int live_files_ = 0;
  std::set<std::string> not_under_root_;
  std::map<std::string, File> files_;  // a node's address is stable: text may point into live_text
  std::map<std::pair<std::string, size_t>, std::pair<size_t, size_t>> call_extents_;
};

struct ResInfo {
  uint32_t stream = 0;
  int64_t id = 0;
  std::string_view type, site;
  uint64_t trigger_key = 0, creator_key = 0;
  bool synthetic = false;
  // Eviction (Collector::Release): a record made at init is dropped once
  // the model has forgotten its resource and nothing kept points to it.
  // `refs` counts the model's hold (1 until OnForget), the kept records
  // whose trigger_key, creator_key or resolved_in name it, and the reads
  // and leaks that need it. Records made later (the top level, contexts
  // adopted at the start) are never dropped: children made before them
  // hold no count.
  bool evictable = false;
  bool resolved_in_held = false;  // counted in resolved_in's refs
  uint32_t refs = 0;
  // The stores it was created with, in order: the first inline (programs
  // mostly have one storage), so a record costs no allocation of its own.
  StoreSlot first_store{0, kUndefinedStore};
  bool has_first_store = false;
  std::vector<StoreSlot> more_stores;
  void AddStore(StoreSlot slot) {
    if (has_first_store) {
      more_stores.push_back(slot);
    } else {
      first_store = slot;
      has_first_store = true;
    }
  }
  StoreId StoreFor(StorageId storage) const {
    if (has_first_store && first_store.storage == storage) return first_store.store;
    for (const auto& s : more_stores)
      if (s.storage == storage) return s.store;
    return kUndefinedStore;
  }
  uint64_t resolved_in = 0;       // promises: the resource executing when it settled
  std::vector<StorageId> detached;  // storages disabled (exit()/disable()) when it was created
};

struct EnterWithInfo {
  StorageId storage;
  StoreId store;
  std::string_view site;
  uint64_t seq;       // the enterWith() event, in its stream
  uint32_t callback;  // which callback of the resource (1 = first) called enterWith()
  // Called at a module's top level (no enclosing function): an ES module's
  // body runs inside a promise once hooks are on, but nothing awaited it.
  bool module_scope;
};

struct ListenerReg {
  std::vector<StoreSlot> stores;  // defined stores current at registration
  std::string_view site;
  int64_t listener;
};

struct Read {
  uint32_t stream;
  uint64_t seq;
  StorageId storage;
  StoreId store;
  uint64_t res_key;
  std::string_view site, callers, enclosing;
  bool enabled, before_first_store, in_emit;
  int64_t emitter;
  std::string_view event;
  int64_t listeners = 0;
  uint32_t callback = 0;  // which callback of the executing resource the read ran in
  // A store read after disable(), before any run()/enterWith(): 1 + the
  // index of that disable()'s site in Collector::disable_sites_; 0 for
  // every other read. (An index, not the site: it fits beside `callback`,
  // and a trace holds millions of reads.)
  uint32_t after_disable = 0;
};

// What the program's instrumentation said about a read (an alsExpect
// record): the code reading ran inside a closure created under `store`.
struct Ownership {
  StoreId store = kUndefinedStore;
  std::string_view closure;    // where the closure starts, "file:line:col"; or where the object was made
  std::string_view scheduler;  // the frame that called it (the queue, pool, batch), or empty
  std::string_view receiver;   // for an object handed over: the function it was passed to, else empty
};

struct StorageInfo {
  std::string_view site;
  bool enabled = false;
  bool store_seen = false;  // a run/enterWith with a defined store happened
  uint32_t after_disable = 0;  // disable() called, no run()/enterWith() since: as in Read
};

// Everything check needs, gathered during replay.
class Collector : public ModelSink {
 public:
  explicit Collector(const TraceReader& reader) : reader_(reader) {}

  void OnInit(const Event& e, const Resource& r) override {
    auto [it, inserted] = res_.try_emplace(r.key);
    ResInfo& info = it->second;
    if (inserted) {
      Fill(r, &info);
      info.evictable = true;
      info.refs = 1;  // the model's hold, until OnForget
      Hold(info.trigger_key);
      Hold(info.creator_key);
    }
    // Created while a storage that was in use is disabled: inside exit() or
    // after disable(), i.e. detached from the store on purpose. (A set kept
    // up to date per stream: a loop over every storage here made check
    // quadratic in the number of streams.)
    auto detached = detached_now_.find(r.stream);
    if (detached != detached_now_.end())
      info.detached.insert(info.detached.end(), detached->second.begin(), detached->second.end());
  }

  void OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) override {
    ResInfo& info = Add(r);
    if (cause == StoreCause::kInit) {
      info.AddStore({storage, store});
      if (e) NoteCode({r.stream, storage}, store != kUndefinedStore, e->site, e->enclosing, {});
    } else if (cause == StoreCause::kEnterWith && e) {
      enter_withs_[r.key].push_back({storage, store, e->site, e->seq, r.callbacks, IsModuleScope(e->enclosing)});
      enter_with_seen_ = true;
    }
  }

  void OnPromiseResolve(const Event& e, const Resource& r, const Resource& current) override {
    ResInfo& info = Add(r);
    if (info.resolved_in == current.key) return;
    // resolved_in matters only where an enterWith() ran (the after-await
    // rule), and it closes cycles (an async function's promise is resolved
    // in a continuation it triggered) that counting cannot free: it holds
    // its target only once the trace has shown an enterWith().
    if (info.resolved_in_held) Release(info.resolved_in);
    info.resolved_in = current.key;
    info.resolved_in_held = enter_with_seen_;
    if (info.resolved_in_held) Hold(current.key);
  }

  void OnForget(const Resource& r) override { Release(r.key); }

  void OnStorageEvent(const Event& e, const StorageState& s) override {
    if (e.kind == EventKind::kAlsRunBegin && !e.site.empty()) run_sites_[{e.stream, s.id}].insert(std::string(e.site));
    StorageInfo& info = storages_[{e.stream, s.id}];
    if (e.kind == EventKind::kAlsCreate) info.site = e.site;
    info.enabled = s.enabled;
    if ((e.kind == EventKind::kAlsRunBegin || e.kind == EventKind::kAlsEnterWith) && e.store != kUndefinedStore)
      info.store_seen = true;
    if (e.kind == EventKind::kAlsDisable) {
      disable_sites_.push_back(e.site);
      info.after_disable = static_cast<uint32_t>(disable_sites_.size());
    } else if (e.kind == EventKind::kAlsRunBegin || e.kind == EventKind::kAlsEnterWith) {
      info.after_disable = 0;
    }
    if (info.store_seen && !info.enabled) {
      detached_now_[e.stream].insert(s.id);
    } else if (auto it = detached_now_.find(e.stream); it != detached_now_.end()) {
      it->second.erase(s.id);
      if (it->second.empty()) detached_now_.erase(it);
    }
  }

  void OnContextEvent(const Event& e, const Resource& current) override {
    if (e.kind == EventKind::kAlsExpect) {
      pending_ownership_[e.stream] = {e.storage, Ownership{e.store, e.site, e.callers, e.enclosing}};
      return;
    }
    if (e.kind == EventKind::kAlsRunBegin || e.kind == EventKind::kAlsExitBegin) {
      open_scopes_[e.stream].push_back(e.storage);
    } else if (e.kind == EventKind::kAlsRunEnd || e.kind == EventKind::kAlsExitEnd) {
      auto& open = open_scopes_[e.stream];
      for (auto it = open.rbegin(); it != open.rend(); ++it) {
        if (*it != e.storage) continue;
        open.erase(std::next(it).base());
        break;
      }
    } else if (e.kind == EventKind::kListenerAdd) {
      ListenerReg reg{{}, e.site, e.listener};
      for (const auto& slot : current.stores)
        if (slot.store != kUndefinedStore && storages_[{e.stream, slot.storage}].enabled) reg.stores.push_back(slot);
      // (Registrations are recorded only while a store is current, so they
      // say nothing about where code runs without one: not used for that.)
      listeners_[{e.stream, e.emitter, std::string(e.type)}].push_back(reg);
    } else if (e.kind == EventKind::kEmitBegin) {
      emits_[e.stream].push_back({e.emitter, e.type, e.listener, current.key, open_scopes_[e.stream].size()});
    } else if (e.kind == EventKind::kEmitEnd) {
      auto& stack = emits_[e.stream];
      while (!stack.empty()) {
        bool match = stack.back().emitter == e.emitter;
        stack.pop_back();
        if (match) break;
      }
    }
  }

  void OnGetStore(const Event& e, StoreId expected, const Resource& current) override {
    Add(current);
    StorageInfo& st = storages_[{e.stream, e.storage}];
    Read r{e.stream, e.seq, e.storage, e.store, current.key, e.site, e.callers, e.enclosing,
           st.enabled, !st.store_seen, false, 0, {}, 0, 0, 0};
    // A read belongs to an emit only if it runs in the emit's own context:
    // a listener that entered another (a bound function, runInAsyncScope,
    // or a run()/exit() of this storage since the emit began, the way
    // OpenTelemetry's context.bind() does) chose its context on purpose.
    auto& stack = emits_[e.stream];
    if (!stack.empty() && stack.back().context_key == current.key &&
        !ScopeOpenedSince(e.stream, e.storage, stack.back().open_scopes)) {
      r.in_emit = true;
      r.emitter = stack.back().emitter;
      r.event = stack.back().event;
      r.listeners = stack.back().listeners;
    }
    r.callback = current.callbacks;
    if (e.store != kUndefinedStore) r.after_disable = st.after_disable;
    // The recorder writes alsExpect just before the read it is about.
    if (auto owner = pending_ownership_.find(e.stream); owner != pending_ownership_.end()) {
      if (owner->second.first == e.storage) ownership_.emplace(std::make_pair(e.stream, e.seq), owner->second.second);
      pending_ownership_.erase(owner);
    }
    // What judging a read needs of the resources (Analyzer::Judge): a read
    // that returned a store is cleared without looking at them unless it
    // ran in an emit, was owned by a closure, came after disable(), or an
    // enterWith() ran before it; any other read keeps where it ran and,
    // through the records' counts, that resource's ancestry.
    if (e.store == kUndefinedStore || r.in_emit || r.after_disable || enter_with_seen_ ||
        ownership_.count({e.stream, e.seq}))
      Hold(current.key);
    reads_.push_back(r);
    if (st.enabled) NoteCode({e.stream, e.storage}, e.store != kUndefinedStore, e.site, e.enclosing, e.callers);
  }

  void OnFinding(const Finding& f) override {
    if (f.severity == Severity::kError) model_findings_.push_back(f);
  }

  void OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                   const std::vector<CallbackSpan>& unfinished) override {
    // A resource whose callback was still running (process.exit() inside
    // it) is not what kept the process up.
    std::set<uint64_t> running;
    for (const auto& span : unfinished) running.insert(span.resource_key);
    for (const Resource* r : alive) {
      Add(*r);  // the top level too: chains end there
      if (r->synthetic || running.count(r->key)) continue;
      alive_.push_back(r->key);
      Hold(r->key);
    }
  }

  ResInfo& Add(const Resource& r) {
    auto [it, inserted] = res_.try_emplace(r.key);
    if (inserted) Fill(r, &it->second);
    return it->second;
  }

  static void Fill(const Resource& r, ResInfo* i) {
    i->stream = r.stream;
    i->id = r.id.value;
    i->type = r.type;
    i->site = r.site;
    i->trigger_key = r.trigger_key;
    i->creator_key = r.creator_key;
    i->synthetic = r.synthetic;
  }

  // Counts one more holder of the record `key`, if it is kept and can be
  // dropped.
  void Hold(uint64_t key) {
    if (!key) return;
    auto it = res_.find(key);
    if (it != res_.end() && it->second.evictable) ++it->second.refs;
  }

  // Drops one holder of `key`; a record nobody holds goes, and releases
  // what it pointed to (a worklist: chains of promises run millions deep).
  void Release(uint64_t key) {
    release_work_.clear();
    release_work_.push_back(key);
    while (!release_work_.empty()) {
      uint64_t k = release_work_.back();
      release_work_.pop_back();
      if (!k) continue;
      auto it = res_.find(k);
      if (it == res_.end() || !it->second.evictable || --it->second.refs > 0) continue;
      release_work_.push_back(it->second.trigger_key);
      release_work_.push_back(it->second.creator_key);
      if (it->second.resolved_in_held) release_work_.push_back(it->second.resolved_in);
      res_.erase(it);
      enter_withs_.erase(k);
    }
  }

  // Code that ran while a store was current: (function start, position).
  // Notes which functions ran with a store of `storage` (and how far into
  // them), and which ran without one. Frames from the one that called
  // run() outward ran outside the store (they only called run()), so the
  // walk stops there.
  void NoteCode(std::pair<uint32_t, StorageId> storage, bool with_store, std::string_view site,
                std::string_view enclosing, std::string_view callers) {
    const auto& runs = run_sites_[storage];
    for (const Frame& f : FramesOf(site, enclosing, callers)) {
      std::string at = std::string(f.file) + ":" + std::to_string(f.at.line) + ":" + std::to_string(f.at.col);
      if (with_store && runs.count(at)) break;
      if (f.start.line == 0) continue;
      if (!with_store) {
        without_store_[storage][std::string(f.file)].insert(f.start);
        continue;
      }
      auto& spans = under_store_[storage][std::string(f.file)];
      auto it = spans.find(f.start);
      if (it == spans.end())
        spans.emplace(f.start, f.at);
      else if (it->second < f.at)
        it->second = f.at;
    }
  }

  const TraceReader& reader_;
  // Records come and go at the rate of resources: their nodes come from a
  // pool that reuses freed ones.
  std::pmr::unsynchronized_pool_resource res_pool_;
  std::pmr::unordered_map<uint64_t, ResInfo> res_{&res_pool_};
  std::unordered_map<uint64_t, std::vector<EnterWithInfo>> enter_withs_;
  bool enter_with_seen_ = false;  // any enterWith() so far, in any stream
  std::vector<uint64_t> release_work_;
  std::map<std::pair<uint32_t, StorageId>, StorageInfo> storages_;
  std::map<uint32_t, std::set<StorageId>> detached_now_;  // per stream: storages used, now disabled
  std::map<std::tuple<uint32_t, int64_t, std::string>, std::vector<ListenerReg>> listeners_;
  struct Emit {
    int64_t emitter;
    std::string_view event;
    int64_t listeners;     // how many listeners the event had
    uint64_t context_key;  // the resource executing the emit
    size_t open_scopes;    // how many run()/exit() scopes were open when it began
  };
  std::map<uint32_t, std::vector<Emit>> emits_;
  // Per stream: the storages of the run()/exit() calls now open, innermost
  // last (they are synchronous, so they nest within one stream).
  std::map<uint32_t, std::vector<StorageId>> open_scopes_;
  bool ScopeOpenedSince(uint32_t stream, StorageId storage, size_t since) const {
    auto it = open_scopes_.find(stream);
    if (it == open_scopes_.end()) return false;
    for (size_t i = since; i < it->second.size(); i++)
      if (it->second[i] == storage) return true;
    return false;
  }
  // A deque: a vector's doubling held up to three times the reads at its
  // peak, and a long trace holds millions.
  std::deque<Read> reads_;
  // (stream, seq) of a read -> what the instrumentation said about it (few
  // reads have one: kept beside reads_, not in each).
  std::map<std::pair<uint32_t, uint64_t>, Ownership> ownership_;
  std::map<uint32_t, std::pair<StorageId, Ownership>> pending_ownership_;  // per stream, until its read
  std::vector<std::string_view> disable_sites_;  // every disable() call site, in trace order
  std::vector<Finding> model_findings_;
  std::vector<uint64_t> alive_;
  using StorageKey = std::pair<uint32_t, StorageId>;  // (stream, storage)
  std::map<StorageKey, std::set<std::string>> run_sites_;  // where run() was called
  // file -> function start -> furthest position seen running with a store
  std::map<StorageKey, std::map<std::string, std::map<Pos, Pos>>> under_store_;
  // file -> starts of functions seen running without one
  std::map<StorageKey, std::map<std::string, std::set<Pos>>> without_store_;
};

// Types whose live handles keep node's event loop running (when ref'd);
// the leak rule reports only these. An open list: other types are still
// in `ahtrace replay`'s alive_at_end view.
bool IsLoopHandle(std::string_view type) {
  static const char* kTypes[] = {"TCPWRAP", "TCPSERVERWRAP", "PIPEWRAP", "PIPESERVERWRAP", "UDPWRAP",
                                 "Timeout", "Immediate", "FSEVENTWRAP", "STATWATCHER", "PROCESSWRAP",
                                 "SIGNALWRAP", "TTYWRAP", "WORKER", "MESSAGEPORT", "TLSWRAP", "HTTP2SESSION"};
  for (const char* t : kTypes)
    if (type == t) return true;
  return false;
}

class Analyzer {
 public:
  Analyzer(const Collector& c, const TraceReader& reader, const CheckOptions& options, const Baseline* baseline)
      : c_(c), reader_(reader), options_(options), baseline_(baseline), sources_(reader, options.source_root) {}

  void Run(CheckReport* out) {
    // Each finding is judged once per fingerprint (repeats only count) as
    // it is found: what the trace could not see fails whatever was allowed
    // or already in the baseline (a verdict on part of a program is none);
    // allowed and baseline findings are counted, not kept; and past
    // kMaxListedFindingsPerKind findings of one rule the rest are counted,
    // so a hostile trace of 300,000 leaks costs no more than 1,000.
    constexpr size_t kNotKept = SIZE_MAX;
    std::map<std::string, size_t> by_fingerprint;  // -> index in found_, or kNotKept
    std::map<std::string, uint64_t> listed_by_rule, unlisted_by_rule;
    auto add = [&](CheckFinding f) {
      auto it = by_fingerprint.find(f.fingerprint);
      if (it != by_fingerprint.end()) {
        if (it->second != kNotKept) ++found_[it->second].occurrences;
        return;
      }
      out->as_baseline.fingerprints.insert(f.fingerprint);
      size_t index = kNotKept;
      if (f.rule == "incomplete-trace") {
        index = found_.size();
      } else if (options_.allow.count(f.fingerprint)) {
        ++out->allowed;
      } else if (baseline_ && baseline_->fingerprints.count(f.fingerprint)) {
        ++out->in_baseline;
      } else if (listed_by_rule[f.rule]++ < kMaxListedFindingsPerKind) {
        index = found_.size();
      } else {
        ++unlisted_by_rule[f.rule];
      }
      by_fingerprint.emplace(f.fingerprint, index);
      if (index != kNotKept) found_.push_back(std::move(f));
    };
    if (options_.context) {
      for (const Read& r : c_.reads_)
        if (r.store != kUndefinedStore && !r.site.empty()) ++defined_at_[SiteKey(r)];
      for (const Read& r : c_.reads_) {
        CheckFinding f;
        bool found = !Stream(r.stream).hook_events ? JudgeWithoutHooks(r, &f)
                     : r.after_disable              ? StoreAfterDisable(r, &f)
                                                    : Judge(r, &f);
        if (found) add(std::move(f));
      }
    }
    if (options_.leaks) Leaks(add);
    ModelFindings(add);  // blind spots always; the rest as the options say

    for (auto& f : found_) {
      if (!f.where.empty())
        f.source = sources_.Excerpt(f.where.file, f.where.line - kSourceContextLines, f.where.line + kSourceContextLines);
      RelativiseToCwd(&f);
      out->findings.push_back(std::move(f));
    }
    for (const auto& [rule, more] : unlisted_by_rule)
      out->notes.push_back("and " + std::to_string(more) + " more " + rule + " findings, not listed (the first " +
                           std::to_string(kMaxListedFindingsPerKind) + " are)");
    for (const Read& r : c_.reads_) {
      ++out->reads;
      if (r.store == kUndefinedStore) ++out->reads_undefined;
      if (r.store != kUndefinedStore) out->as_baseline.sites_with_store.insert(SiteKey(r));
      if (!r.site.empty()) out->checked_sites.insert({"context", std::string(r.site)});
    }
    out->storages = c_.storages_.size();
    if (!options_.source_root.empty()) {
      std::string note = "sources: " + std::to_string(sources_.live_files()) + " file(s) read under --source-root " +
                         options_.source_root;
      const auto& missing = sources_.not_under_root();
      if (!missing.empty()) {
        note += "; not found there, so taken from the trace: ";
        size_t listed = 0;
        for (const auto& file : missing) {
          if (listed++ == 3) {
            note += ", and " + std::to_string(missing.size() - 3) + " more";
            break;
          }
          note += (listed > 1 ? ", " : "") + file;
        }
      }
      out->notes.push_back(note);
    }
    size_t with_site = 0;
    for (const Read& r : c_.reads_) with_site += !r.site.empty();
    if (!c_.reads_.empty() && with_site == 0)
      out->notes.push_back(
          "no getStore() call site was recorded (ahtrace record --stacks none?): context-loss evidence needs "
          "them; record with --stacks als or default");
    if (options_.context && !c_.reads_.empty() &&
        std::any_of(reader_.streams().begin(), reader_.streams().end(),
                    [](const StreamInfo& st) { return st.hook_events && !st.closure_ownership; }))
      out->notes.push_back(
          "the program's modules were not instrumented (recorded with --no-instrument, by an ahtrace built without "
          "a JavaScript parser, or by an earlier ahtrace): a read that returned another request's store (wrong-store) could "
          "not be told from a right one");
    // Streams from runtimes without hook events (Bun, Deno): only rules the
    // user states (--expect-store) or a baseline can judge their reads.
    std::set<std::string> hookless;
    for (const auto& st : reader_.streams())
      if (!st.hook_events) hookless.insert(st.runtime);
    for (const auto& runtime : hookless)
      out->notes.push_back(runtime + " emits no async_hooks events: on its streams only --expect-store rules and "
                                     "--baseline judged getStore() calls; context-lost inference from resources, "
                                     "listener-context, enter-with-*, store-after-disable, leaks and model checks "
                                     "could not run");
    bool all_hookless = !reader_.streams().empty() &&
                        std::none_of(reader_.streams().begin(), reader_.streams().end(),
                                     [](const StreamInfo& st) { return st.hook_events; });
    if (out->events == 0)
      out->cannot_judge = "the trace holds no events: nothing was recorded to judge";
    else if (options_.context && all_hookless && options_.expect_store.empty() && !baseline_)
      out->cannot_judge = *hookless.begin() +
                          " emits no async_hooks events, so context loss can be judged only against --expect-store "
                          "rules or a --baseline, and none was given";
    else if (options_.context && c_.reads_.empty())
      out->cannot_judge = c_.storages_.empty()
                              ? "no AsyncLocalStorage was used in the recorded processes: no getStore() call to judge "
                                "context loss by (run with --no-context to check only the other rules)"
                              : "the program never called getStore(): no read to judge context loss by (run with "
                                "--no-context to check only the other rules)";
  }

 private:
  // Paths under the recording's working directory (usually the project
  // root) are shown relative to it: shorter to read, and what SARIF
  // viewers resolve against the checkout.
  void RelativiseToCwd(CheckFinding* f) {
    const std::string& cwd = f->stream < reader_.streams().size() ? Cwd(f->stream) : std::string();
    if (cwd.empty() || cwd == "/") return;
    const std::string prefix = cwd + "/";
    auto strip = [&](std::string& text) {
      for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at))
        text.erase(at, prefix.size());
    };
    strip(f->where.file);
    strip(f->break_site.file);
    strip(f->called_from.file);
    strip(f->storage);
    strip(f->title);
    for (auto& c : f->chain) strip(c);
    for (auto& d : f->details) strip(d);
  }

  const ResInfo* Res(uint64_t key) const {
    auto it = c_.res_.find(key);
    return it == c_.res_.end() ? nullptr : &it->second;
  }
  const StreamInfo& Stream(uint32_t s) const { return reader_.streams()[s]; }

  // A site as the fingerprint sees it: the file relative to the recording's
  // cwd and the text of the line.
  std::string Normal(std::string_view site, uint32_t stream) {
    auto key = std::make_pair(std::string(site), stream);
    auto hit = normal_cache_.find(key);
    if (hit != normal_cache_.end()) return hit->second;
    return normal_cache_[key] = NormalUncached(site, stream);
  }
  std::string NormalUncached(std::string_view site, uint32_t stream) {
    std::string_view file;
    Pos pos;
    if (!SplitSite(site, &file, &pos)) return std::string(site);
    std::string f(file);
    std::string rel = f;
    const std::string cwd = Cwd(stream);
    if (!cwd.empty() && rel.rfind(cwd + "/", 0) == 0) rel = rel.substr(cwd.size() + 1);
    std::string text = sources_.Text(f, pos.line);
    return rel + "|" + (text.empty() ? std::to_string(pos.line) : text);
  }
  const std::string& Cwd(uint32_t stream) {
    auto it = cwd_cache_.find(stream);
    if (it != cwd_cache_.end()) return it->second;
    auto h = nlohmann::json::parse(Stream(stream).header_json, nullptr, false);
    return cwd_cache_[stream] =
               h.is_object() && h.contains("cwd") && h["cwd"].is_string() ? h["cwd"].get<std::string>() : "";
  }
  std::string StorageKey(uint32_t stream, StorageId id) {
    auto it = c_.storages_.find({stream, id});
    if (it != c_.storages_.end() && !it->second.site.empty()) return Normal(it->second.site, stream);
    return "storage " + std::to_string(id);
  }
  std::string StorageLabel(uint32_t stream, StorageId id) const {
    auto it = c_.storages_.find({stream, id});
    if (it != c_.storages_.end() && !it->second.site.empty()) return std::string(it->second.site);
    return "storage " + std::to_string(id);
  }
  // Where a read happened, for "the same call saw a store" evidence: the
  // getStore() call and its recorded callers (a shared logger is one
  // getStore() site called from many places).
  std::string SiteKey(const Read& r) {
    std::string key = StorageKey(r.stream, r.storage) + "#" + Normal(r.site, r.stream);
    std::string_view callers = r.callers;
    while (!callers.empty()) {
      size_t nl = callers.find('\n');
      std::string_view frame = callers.substr(0, nl);
      key += "<" + Normal(frame.substr(0, frame.rfind('@')), r.stream);
      callers = nl == std::string_view::npos ? std::string_view() : callers.substr(nl + 1);
    }
    return key;
  }
  std::string StoreLabel(uint32_t stream, StoreId id) const {
    const auto& stores = reader_.stores(stream);
    if (id > 0 && static_cast<size_t>(id) < stores.size() && stores[id].id == id) return stores[id].label;
    return id == kUndefinedStore ? "undefined" : "store " + std::to_string(id);
  }
  std::string Describe(const ResInfo* r) const {
    if (!r) return "(unknown)";
    std::string s = std::string(r->type) + " " + std::to_string(r->id);
    if (!r->site.empty()) s += " (" + std::string(r->site) + ")";
    return s;
  }
  static StoreId StoreOf(const ResInfo* r, StorageId storage) {
    return r ? r->StoreFor(storage) : kUndefinedStore;
  }

  // Is the function holding one of the read's frames defined inside a
  // function that ran under a store (a callback created in request code)?
  bool DefinedUnderStore(const Read& r, std::string* where) {
    Collector::StorageKey storage{r.stream, r.storage};
    for (const Frame& f : FramesOf(r.site, r.enclosing, r.callers)) {
      if (f.start.line == 0) continue;
      std::string file_name(f.file);
      // Many reads come from the same function: judge each function once.
      auto key = std::make_tuple(storage, file_name, f.start.line, f.start.col);
      auto cached = defined_under_store_.find(key);
      if (cached == defined_under_store_.end())
        cached = defined_under_store_.emplace(key, FunctionDefinedUnderStore(storage, file_name, f)).first;
      if (!cached->second.empty()) {
        *where = cached->second;
        return true;
      }
    }
    return false;
  }

  // Where the function starting at `f.start` is defined inside a function
  // that ran under a store, a sentence saying so; else empty.
  std::string FunctionDefinedUnderStore(const Collector::StorageKey& storage, const std::string& file_name,
                                        const Frame& f) {
    // Written inside the callback passed to a run() of this storage: it was
    // created while that store was current.
    auto runs = c_.run_sites_.find(storage);
    for (const std::string& run_site : runs == c_.run_sites_.end() ? std::set<std::string>() : runs->second) {
      std::string_view run_file;
      Pos call;
      if (!SplitSite(run_site, &run_file, &call) || run_file != file_name || !(call < f.start)) continue;
      if (sources_.InCallArguments(file_name, call, f.start) == 1)
        return "at " + file_name + ":" + std::to_string(f.start.line) + ":" + std::to_string(f.start.col) +
               " is written inside the callback passed to run() at line " + std::to_string(call.line);
    }
    // Or inside a function that always ran with a store: a function also
    // seen running without one (a shared client, a helper start-up code
    // calls too) proves nothing about where this callback was made.
    auto under = c_.under_store_.find(storage);
    if (under == c_.under_store_.end()) return {};
    auto file = under->second.find(file_name);
    if (file == under->second.end()) return {};
    const std::set<Pos>* without = nullptr;
    if (auto w = c_.without_store_.find(storage); w != c_.without_store_.end())
      if (auto wf = w->second.find(file_name); wf != w->second.end()) without = &wf->second;
    for (const auto& [start, furthest] : file->second) {
      if (!(start < f.start)) break;
      if (start == Pos{1, 1}) continue;  // module scope is not request code
      if (without && without->count(start)) continue;
      int inside = sources_.Contains(file_name, start, f.start);
      if (inside == 1 || (inside == -1 && f.start < furthest)) {
        return "at " + file_name + ":" + std::to_string(f.start.line) + ":" + std::to_string(f.start.col) +
               " is defined inside the function at line " + std::to_string(start.line) +
               ", which ran under a store";
      }
    }
    return {};
  }

  bool MatchesRule(const Read& r) const {
    for (const auto& pattern : options_.expect_store) {
      if (pattern.empty()) continue;
      if (r.site.find(pattern) != std::string_view::npos || r.callers.find(pattern) != std::string_view::npos)
        return true;
    }
    return false;
  }

  // The execution chain (creator links) from the resource a read ran in.
  std::vector<const ResInfo*> Chain(uint64_t key, bool trigger) const {
    std::vector<const ResInfo*> chain;
    for (int i = 0; i < 64 && key; ++i) {
      const ResInfo* r = Res(key);
      if (!r) break;
      chain.push_back(r);
      key = trigger ? r->trigger_key : r->creator_key;
    }
    return chain;
  }

  // Index of the first ancestor (index > 0) created with a store for
  // `storage`, or 0 if none was.
  static size_t FirstCarrier(const std::vector<const ResInfo*>& chain, StorageId storage) {
    for (size_t i = 1; i < chain.size(); ++i)
      if (StoreOf(chain[i], storage) != kUndefinedStore) return i;
    return 0;
  }

  bool Judge(const Read& r, CheckFinding* f) {
    if (!r.enabled) return false;  // inside exit() or after disable(): deliberate
    const ResInfo* current = Res(r.res_key);
    std::vector<std::string> evidence;
    std::string rule = "context-lost";
    Location break_site;
    std::string broke, hint;
    StoreId wanted = kUndefinedStore;

    // Listener evidence: the read runs inside an emit of an event whose
    // listeners were registered under a store.
    if (r.in_emit) {
      auto it = c_.listeners_.find({r.stream, r.emitter, std::string(r.event)});
      if (it != c_.listeners_.end()) {
        // Which listener is running? Registrations from node's own code
        // (no user frame) are not the user's listeners. With one listener
        // it is that one; with several, the one whose function starts on
        // its registration line, where one of the read's frames starts.
        // With the file's functions record: the one whose registration
        // call's arguments hold a function one of the read's frames is in
        // (a listener written over several lines too).
        std::vector<const ListenerReg*> candidates;
        for (const ListenerReg& reg : it->second)
          if (!reg.site.empty()) candidates.push_back(&reg);
        if (!(r.listeners == 1 && candidates.size() == 1)) {
          std::vector<const ListenerReg*> inline_defined;
          auto frames = FramesOf(r.site, r.enclosing, r.callers);
          for (const ListenerReg* reg : candidates) {
            Location at = Location::Parse(reg->site);
            for (const Frame& fr : frames) {
              if (fr.file != at.file || fr.start.line == 0) continue;
              int parsed = sources_.ParsedInCallArguments(at.file, Pos{at.line, at.column}, fr.start);
              if (parsed == 1 || (parsed < 0 && fr.start.line == at.line && fr.start.col > at.column)) {
                inline_defined.push_back(reg);
                break;
              }
            }
          }
          candidates = inline_defined;
        }
        for (const ListenerReg* reg_ptr : candidates) {
          const ListenerReg& reg = *reg_ptr;
          for (const auto& slot : reg.stores) {
            if (slot.storage != r.storage || slot.store == r.store) continue;
            rule = "listener-context";
            wanted = slot.store;
            break_site = Location::Parse(reg.site);
            evidence.push_back("the '" + std::string(r.event) + "' listener was registered at " +
                               std::string(reg.site) + " under " + StoreLabel(r.stream, slot.store) +
                               ", and runs in the emitter's context");
            hint =
                "EventEmitter listeners run in the context of the code that emits, not the one that registered them. "
                "Bind the listener when registering it: emitter.on('" +
                std::string(r.event) + "', AsyncLocalStorage.bind(fn)) (or AsyncResource.bind(fn)).";
            break;
          }
          if (rule == "listener-context") break;
        }
      }
    }
    // enterWith() leaking into later callbacks of the same resource: the
    // store was set for good on a resource that runs again (a keep-alive
    // connection's parser, an interval), so its next callback starts with
    // the previous one's store.
    if (r.store != kUndefinedStore && rule == "context-lost" && current && !current->synthetic) {
      auto ew = c_.enter_withs_.find(r.res_key);
      if (ew != c_.enter_withs_.end()) {
        for (const auto& w : ew->second) {
          if (w.storage != r.storage || w.store != r.store || w.callback >= r.callback) continue;
          if (StoreOf(current, r.storage) == r.store) continue;  // created with it: not a leak
          rule = "enter-with-leak";
          break_site = Location::Parse(w.site);
          f->break_async_id = current->id;
          evidence.push_back("enterWith(" + StoreLabel(r.stream, w.store) + ") at " + std::string(w.site) +
                             " ran in callback " + std::to_string(w.callback) + " of " + Describe(current) +
                             "; this is callback " + std::to_string(r.callback) + " of the same resource");
          hint =
              "enterWith() sets the store on the current resource for good, and this resource runs again (a "
              "keep-alive connection, an interval, a pooled object): its later callbacks start with the old store. "
              "Use als.run(store, () => ...) around the work instead.";
          break;
        }
      }
    }
    // The instrumented program says the code reading runs inside a closure
    // created under another store: handed to a queue, a pool, a batch or a
    // scheduler that ran it later from someone else's callback.
    const Ownership* owner = nullptr;
    if (auto it = c_.ownership_.find({r.stream, r.seq}); it != c_.ownership_.end())
      owner = &it->second;
    if (owner && owner->store != r.store && rule == "context-lost") {
      std::string ran_by = owner->scheduler.empty() ? std::string("a callback of another context")
                                                    : std::string(owner->scheduler);
      if (owner->receiver.empty())
        evidence.push_back("the closure at " + std::string(owner->closure) + " was created under " +
                           StoreLabel(r.stream, owner->store) + ", and was run by " + ran_by + " where " +
                           StoreLabel(r.stream, r.store) + " is current");
      else
        evidence.push_back("the object made at " + std::string(owner->closure) + " under " +
                           StoreLabel(r.stream, owner->store) + " was handed to the function at " +
                           std::string(owner->receiver) + ", which " + ran_by + " ran where " +
                           StoreLabel(r.stream, r.store) + " is current");
      if (r.store != kUndefinedStore) {
        rule = "wrong-store";
        wanted = owner->store;
        break_site = Location::Parse(owner->scheduler.empty() ? owner->closure : owner->scheduler);
        hint =
            "This callback belongs to the context it was created in, but the code that queued, pooled or batched "
            "it runs it later from another request's callback. Capture the context where the callback is handed "
            "over: AsyncResource.bind(fn) or AsyncLocalStorage.bind(fn) at the call that queues it "
            "(AsyncLocalStorage.snapshot() for several), or resolve a promise there and await it, which resumes "
            "in the caller's own context.";
        if (!owner->receiver.empty())
          hint =
              "This function works on an object that belongs to the context it was made in, but the queue, pool or "
              "batch that passes it runs the function later from another request's callback. Hand the context over "
              "with the object: put AsyncLocalStorage.snapshot() (or an AsyncResource) in it where it is queued, and "
              "run the function's work inside it: task.context(() => ...) or resource.runInAsyncScope(...).";
      }
    }
    // enterWith() after an await: the store was set in the callee's
    // continuation that settled the promise this code awaited; the caller
    // reads what it had before (undefined, or an older store of its own).
    if (rule == "context-lost" && current) {
      if (const ResInfo* awaited = Res(current->trigger_key); awaited && awaited->resolved_in) {
        // The continuation that settled it, or an earlier continuation of
        // the same async function (more awaits may follow the enterWith()):
        // promise continuations up the creator chain.
        uint64_t setter_key = awaited->resolved_in;
        auto ew = c_.enter_withs_.find(setter_key);
        for (int hops = 0; ew == c_.enter_withs_.end() && hops < 16; ++hops) {
          const ResInfo* step = Res(setter_key);
          if (!step || step->type != "PROMISE" || !step->creator_key) break;
          setter_key = step->creator_key;
          ew = c_.enter_withs_.find(setter_key);
        }
        if (ew != c_.enter_withs_.end()) {
          for (const auto& w : ew->second) {
            // (One called after the read cannot have caused it.)
            if (w.storage != r.storage || w.store == kUndefinedStore || w.store == r.store || w.module_scope ||
                w.seq > r.seq)
              continue;
            rule = "enter-with-after-await";
            wanted = w.store;
            if (const ResInfo* setter = Res(setter_key)) f->break_async_id = setter->id;
            break_site = Location::Parse(w.site);
            evidence.push_back("enterWith(" + StoreLabel(r.stream, w.store) + ") at " + std::string(w.site) +
                               " ran in " + Describe(Res(setter_key)) +
                               ", a continuation after an await in the async function this code awaited: "
                               "the store stays in that function's continuations");
            hint =
                "enterWith() after an await changes the store of that async function's continuation only; its "
                "caller never sees it. Set the store before the first await, or run the whole call inside "
                "als.run(store, () => ...).";
            break;
          }
        }
      }
    }
    if (r.store != kUndefinedStore && rule != "listener-context" && rule != "enter-with-leak" && rule != "wrong-store" &&
        rule != "enter-with-after-await")
      return false;  // a defined store, no evidence it is wrong
    const auto exec = Chain(r.res_key, false);  // where the read ran, and what created that, up to the top
    for (const ResInfo* x : exec)
      if (std::find(x->detached.begin(), x->detached.end(), r.storage) != x->detached.end())
        return false;  // detached on purpose with exit() or disable()
    if (r.store == kUndefinedStore && r.before_first_store && rule != "listener-context") return false;

    if (rule == "context-lost") {
      // "The same call saw a store elsewhere" is weak on its own: helpers
      // (loggers, clients, retries) are called with and without a context.
      // It counts only where a store reached this code's ancestry and was
      // then lost; code whose whole ancestry never had one (start-up,
      // timers started at start-up, tests) needs stronger evidence.
      // (The execution chain: a promise's trigger is the promise it chains
      // on, which may belong to another context entirely.)
      bool ancestry_had_store = FirstCarrier(exec, r.storage) != 0;
      std::string key = SiteKey(r);
      auto stats = defined_at_.find(key);
      if (stats != defined_at_.end() && ancestry_had_store)
        evidence.push_back("the same getStore() call, from the same callers, returned a store " +
                           std::to_string(stats->second) + " time(s) elsewhere in this trace");
      if (baseline_ && baseline_->sites_with_store.count(key))
        evidence.push_back("the baseline trace saw a store at this call");
      std::string where;
      if (DefinedUnderStore(r, &where)) evidence.push_back("the callback " + where);
      if (MatchesRule(r)) evidence.push_back("a --expect-store rule says this call must see a store");
      if (evidence.empty()) return false;
    }

    std::string called_from = LocateRead(r, current, rule, f);
    std::string first_caller = FirstCaller(r.callers);
    f->title = r.store == kUndefinedStore ? "getStore() returned undefined"
               : rule == "enter-with-leak"
                   ? "getStore() returned " + StoreLabel(r.stream, r.store) + ", left by an earlier callback's enterWith()"
                   : "getStore() returned " + StoreLabel(r.stream, r.store) + ", not " + StoreLabel(r.stream, wanted);
    if (!called_from.empty()) f->title += " (called from " + called_from + ")";

    // The chain: where the code ran, and how that resource came to be.
    for (size_t i = 0; i < exec.size() && i < 8; ++i) f->chain.push_back(Describe(exec[i]));
    f->details.push_back("ran in: " + Describe(current) +
                         (current && current->creator_key ? ", created in " + Describe(Res(current->creator_key)) : ""));
    if (rule == "context-lost") {
      size_t carrier = FirstCarrier(exec, r.storage);
      if (carrier) {
        const ResInfo* lost = exec[carrier - 1];
        f->break_async_id = lost->id;
        broke = "the store was on " + Describe(exec[carrier]) + " (" +
                StoreLabel(r.stream, StoreOf(exec[carrier], r.storage)) + "), but " + Describe(lost) +
                " was created in its callback without it (outside run(), or inside exit())";
        break_site = Location::Parse(lost->site);
      } else {
        auto trig = Chain(r.res_key, true);
        size_t tcarrier = FirstCarrier(trig, r.storage);
        if (tcarrier) {
          const ResInfo* lost = trig[tcarrier - 1];
          f->break_async_id = lost->id;
          broke = Describe(lost) + " was triggered by " + Describe(trig[tcarrier]) + ", which carried " +
                  StoreLabel(r.stream, StoreOf(trig[tcarrier], r.storage)) + ", but was created from " +
                  Describe(Res(lost->creator_key)) + ", where no store was current";
          break_site = Location::Parse(lost->site);
        } else {
          const ResInfo* origin = current;
          for (const ResInfo* x : exec)
            if (!x->site.empty()) {
              origin = x;
              break;
            }
          broke = "no resource this code descends from ever carried the store: it ran from " + Describe(current) +
                  (origin != current ? ", which descends from " + Describe(origin) : "") +
                  ", created outside any run() of this storage";
          if (origin) {
            break_site = Location::Parse(origin->site);
            f->break_async_id = origin->id;
          }
        }
      }
      f->details.push_back("broke: " + broke);
      f->details.push_back("mechanism: " + Mechanism(r.stream, current));
      hint =
          "If this callback is stored and called later (a queue, a pool, a cache, a batch), capture the context "
          "when it is stored: AsyncResource.bind(cb) or AsyncLocalStorage.bind(cb) (AsyncLocalStorage.snapshot() "
          "for several). If the resource it runs in is created outside the request, create it inside "
          "als.run().";
    } else if (rule == "wrong-store") {
      std::string what = owner->receiver.empty() ? "the closure" : "the function";
      f->details.push_back("broke: " +
                           (owner->scheduler.empty() ? what + " was called from another context"
                                                     : what + " was called by " + std::string(owner->scheduler)) +
                           ", from a callback that carries " + StoreLabel(r.stream, r.store));
      f->details.push_back("mechanism: " + Mechanism(r.stream, current));
    } else {
      f->details.push_back("broke: " + std::string(rule == "listener-context" ? "listener registered at " : "store set at ") +
                           break_site.ToString());
    }
    for (const auto& e : evidence) f->details.push_back("evidence: " + e);
    f->break_site = break_site;
    f->hint = hint;
    FitHintToStorageOwner(r, rule, f);
    f->fingerprint = Hex(Fnv1a(rule + "|" + StorageKey(r.stream, r.storage) + "|" + Normal(r.site, r.stream) + "|" +
                               Normal(first_caller, r.stream) + "|" +
                               (break_site.empty() ? "" : Normal(break_site.ToString(), r.stream)) + "|" +
                               (current ? std::string(current->type) : "")));
    return true;
  }

  template <typename Add>
  void Leaks(Add& add) {
    for (uint64_t key : c_.alive_) {
      const ResInfo* r = Res(key);
      if (!r || !IsLoopHandle(r->type)) continue;
      CheckFinding f;
      f.rule = "leak";
      f.level = "warning";
      f.title = std::string(r->type) + " still alive at the end of the trace";
      f.where = Location::Parse(r->site);
      if (f.where.empty()) {
        // Created inside node (listen() defers to a tick): the nearest
        // ancestor with a recorded site is where the user's code asked.
        for (const ResInfo* x : Chain(r->creator_key, false))
          if (!x->site.empty()) {
            f.where = Location::Parse(x->site);
            f.details.push_back("created by node on behalf of the code at " + f.where.ToString());
            break;
          }
        if (f.where.empty())
          f.details.push_back("creation site not recorded (TickObject sites are skipped by --stacks default; "
                              "record with --stacks all to see it)");
      }
      f.pid = Stream(r->stream).pid;
      f.thread = Stream(r->stream).thread_id;
      f.stream = r->stream;
      f.read_async_id = r->id;
      auto trig = Chain(key, true);
      for (size_t i = 0; i < trig.size() && i < 8; ++i) f.chain.push_back(Describe(trig[i]));
      f.details.push_back("created in: " + Describe(Res(r->creator_key)));
      f.hint = "A live " + std::string(r->type) +
               " keeps the process running unless it is unref()'d: close it (server.close(), socket.end(), "
               "clearInterval()) when done, or unref() it if it must not hold the process.";
      f.fingerprint = Hex(Fnv1a("leak|" + std::string(r->type) + "|" + Normal(r->site, r->stream)));
      add(std::move(f));
    }
  }

  static bool IsBlindSpot(const char* kind) {
    return std::strcmp(kind, finding_kind::kRecorderFailed) == 0 ||
           std::strcmp(kind, finding_kind::kEmptyStream) == 0 ||
           std::strcmp(kind, finding_kind::kStreamCutShort) == 0 ||
           std::strcmp(kind, finding_kind::kDataDropped) == 0;
  }

  CheckFinding BlindSpotFinding(const Finding& m) const {
    CheckFinding f;
    f.rule = "incomplete-trace";
    f.level = "error";
    f.title = std::string(m.kind) + ": " + m.message;
    bool has_stream = m.kind != std::string(finding_kind::kRecorderFailed) && m.stream < reader_.streams().size();
    f.pid = has_stream ? Stream(m.stream).pid : 0;
    f.thread = has_stream ? Stream(m.stream).thread_id : 0;
    f.details.push_back("the verdict would be drawn from a trace that lacks part of the program, so check fails");
    if (m.message.find("disk full") != std::string::npos || m.message.find("ENOSPC") != std::string::npos)
      f.hint = "The disk filled up while recording: free space (or record onto another disk with -o) and record "
               "again.";
    else if (std::strcmp(m.kind, finding_kind::kDataDropped) == 0)
      f.hint = "`record --max-size` deleted the oldest part of the recording: to gate on this program, record a run "
               "that fits (a larger --max-size, or none); to look at what was kept, use replay, report or export.";
    else if (std::strcmp(m.kind, finding_kind::kRecorderFailed) == 0)
      f.hint = "The recorder could not start in that process (its message says why): record again with a "
               "supported node (20, 22, 24, 26), or report the message.";
    else
      f.hint = "Let the program end by itself or by SIGINT/SIGTERM (SIGKILL, a crash or an OOM kill loses "
               "the recorder's unflushed tail), and record again.";
    f.fingerprint = Hex(Fnv1a("incomplete-trace|" + std::string(m.kind) + "|" + m.message));
    return f;
  }

  // A read on a stream without hook events: lost only where the user said
  // it must see a store, or where the baseline saw one. There is no
  // resource graph to say where it broke.
  bool JudgeWithoutHooks(const Read& r, CheckFinding* f) {
    if (r.store != kUndefinedStore || !r.enabled) return false;
    std::vector<std::string> evidence;
    if (MatchesRule(r)) evidence.push_back("a --expect-store rule says this call must see a store");
    if (baseline_ && baseline_->sites_with_store.count(SiteKey(r)))
      evidence.push_back("the baseline trace saw a store at this call");
    if (evidence.empty()) return false;
    std::string called_from = LocateRead(r, nullptr, "context-lost", f);
    std::string first_caller = FirstCaller(r.callers);
    f->title = "getStore() returned undefined" + (called_from.empty() ? "" : " (called from " + called_from + ")");
    f->details.push_back("broke: unknown: " + Stream(r.stream).runtime +
                         " emits no async_hooks events, so the trace cannot show which callback lost the store");
    for (const auto& e : evidence) f->details.push_back("evidence: " + e);
    f->hint = "Find where this code is scheduled (a queue, a pool, a callback kept for later) and bind it with "
              "AsyncLocalStorage.bind(fn), or record the same program with node to see the chain.";
    f->fingerprint = Hex(Fnv1a("context-lost|" + StorageKey(r.stream, r.storage) + "|" + Normal(r.site, r.stream) +
                               "|" + Normal(first_caller, r.stream) + "||"));
    return true;
  }

  // A storage created inside a library is one the application reaches only
  // through that library's API (OpenTelemetry's context manager wraps an
  // AsyncLocalStorage): the fix must be said in that API's words.
  void FitHintToStorageOwner(const Read& r, const std::string& rule, CheckFinding* f) {
    std::string site = StorageLabel(r.stream, r.storage);
    std::string_view file;
    Pos pos;
    if (!SplitSite(site, &file, &pos) || !IsLibraryFile(file)) return;
    std::string package = PackageOf(file);
    if (package.rfind("@opentelemetry/", 0) == 0) {
      std::string owner = "This store is OpenTelemetry's context (the context manager of " + package +
                          "), which the application reaches through @opentelemetry/api. ";
      f->hint = owner + (rule == "listener-context"
                             ? "Bind the listener to the context it is registered in: emitter.on(event, "
                               "context.bind(context.active(), listener)), or bind the emitter once with "
                               "context.bind(context.active(), emitter)."
                             : "Capture the context where the callback is stored or handed to a queue, pool or "
                               "emitter: context.bind(context.active(), fn); run later work for a known context "
                               "inside context.with(ctx, fn).");
      return;
    }
    f->hint += " The storage was created inside " + package + " (" + site +
               "): carry its context with that library's own API (most offer a bind, wrap or with helper).";
  }

  // An error finding about one getStore() call: where it is and what ran it.
  // Fills in where a read is reported and returns the "called from" frame.
  // Both are the application's own code: a read inside a library
  // (OpenTelemetry's context.active(), a logger) is reported at the first
  // caller outside node_modules, and "called from" is the next such frame;
  // the library frames stay in the details.
  std::string LocateRead(const Read& r, const ResInfo* current, const std::string& rule, CheckFinding* f) {
    f->rule = rule;
    f->level = "error";
    std::vector<std::string> frames = ReadFrames(r.site, r.callers);
    std::vector<size_t> app;
    for (size_t i = 0; i < frames.size(); ++i) {
      std::string_view file;
      Pos pos;
      if (SplitSite(frames[i], &file, &pos) && !IsLibraryFile(file)) app.push_back(i);
    }
    std::string located = app.empty() ? std::string(r.site) : frames[app[0]];
    f->where = Location::Parse(located);
    if (!app.empty() && app[0] > 0) {
      std::string via;
      for (size_t i = 0; i < app[0]; ++i) via += (i ? " < " : "") + frames[i];
      std::string_view site_file;
      Pos pos;
      SplitSite(frames[0], &site_file, &pos);
      f->details.push_back("read inside " + PackageOf(site_file) + ": getStore() at " + via + ", called by " +
                           located + ", the application's own code");
    } else if (app.empty() && IsLibraryFile(located)) {
      f->details.push_back("read inside library code; no frame of the application's own code was recorded on its stack");
    }
    f->storage = StorageLabel(r.stream, r.storage);
    f->pid = Stream(r.stream).pid;
    f->thread = Stream(r.stream).thread_id;
    f->stream = r.stream;
    f->read_async_id = current ? current->id : 0;
    f->seq = r.seq;
    std::string called_from = app.empty()       ? FirstCaller(r.callers)
                              : app.size() > 1 ? frames[app[1]]
                                               : std::string();
    f->called_from = Location::Parse(called_from);
    return called_from;
  }

  // disable() promises that getStore() returns undefined until the next
  // run()/enterWith(). On async_hooks it does, everywhere; on
  // AsyncContextFrame it only deletes the store from the frame current at
  // the call, so callbacks that captured another frame (a timer another
  // request scheduled) still read that request's store: code that relies on
  // disable() for a clean shutdown reads a store it was told is gone.
  bool StoreAfterDisable(const Read& r, CheckFinding* f) {
    const ResInfo* current = Res(r.res_key);
    std::string called_from = LocateRead(r, current, "store-after-disable", f);
    f->break_site = Location::Parse(c_.disable_sites_[r.after_disable - 1]);
    std::string first_caller = FirstCaller(r.callers);
    f->title = "getStore() returned " + StoreLabel(r.stream, r.store) + " after disable()" +
               (called_from.empty() ? "" : " (called from " + called_from + ")");
    f->details.push_back("ran in: " + Describe(current));
    f->details.push_back("broke: disable() at " + (f->break_site.empty() ? std::string("(no site)") : f->break_site.ToString()) +
                         " did not reach the context this callback runs in");
    f->details.push_back("mechanism: " + Mechanism(r.stream, current) +
                         "; disable() only deletes the store from the context current where it is called");
    f->hint = "Do not rely on disable() to drop every store: clear the state the store points to, check a "
              "shutdown flag in the callback, or run the late work with als.exit(fn).";
    f->fingerprint = Hex(Fnv1a("store-after-disable|" + StorageKey(r.stream, r.storage) + "|" +
                               Normal(r.site, r.stream) + "|" + Normal(first_caller, r.stream)));
    return true;
  }

  // How stores move on the runtime that wrote the stream: the two
  // AsyncLocalStorage implementations lose a store for different reasons,
  // and the explanation must name the one that applied.
  std::string Mechanism(uint32_t stream, const ResInfo* current) const {
    const StreamInfo& s = Stream(stream);
    bool promise = current && current->type == "PROMISE";
    if (s.async_context_frame) {
      return "AsyncLocalStorage on AsyncContextFrame (node " + s.node_version + "): " +
             (promise ? std::string("a promise reaction runs with the context that was current when then() or "
                                    "await registered it")
                      : std::string("a callback runs with the context that was current when its resource was "
                                    "created")) +
             ", whatever context calls or emits it later";
    }
    return "AsyncLocalStorage on async_hooks (node " + s.node_version + "): every resource copies the store of "
           "the resource executing when it is created, and " +
           (promise ? std::string("a promise reaction reads the copy taken when then() or await created its promise")
                    : std::string("its callbacks read that copy (or what run()/enterWith() wrote onto it)"));
  }

  template <typename Add>
  void ModelFindings(Add& add) {
    for (const Finding& m : c_.model_findings_) {
      if (IsBlindSpot(m.kind)) {
        add(BlindSpotFinding(m));
        continue;
      }
      bool mismatch = std::strstr(m.kind, "mismatch") != nullptr;
      if (mismatch ? !options_.mismatches : !options_.hook_rules) continue;
      CheckFinding f;
      f.rule = mismatch ? "model-mismatch" : "async-hooks-rule";
      f.level = "error";
      f.title = std::string(m.kind) + ": " + m.message;
      f.pid = m.stream < reader_.streams().size() ? Stream(m.stream).pid : 0;
      f.thread = m.stream < reader_.streams().size() ? Stream(m.stream).thread_id : 0;
      f.seq = m.seq;
      f.details.push_back("expected " + (m.expected.empty() ? std::string("-") : m.expected) + ", the trace shows " +
                          (m.observed.empty() ? std::string("-") : m.observed) +
                          " (ahtrace replay writes every finding to the `finding` table)");
      f.hint = mismatch ? "The trace and ahtrace's model of node disagree: please report it with the trace."
                        : "Node's async_hooks rules were broken here (see `ahtrace replay` findings).";
      f.fingerprint = Hex(Fnv1a(f.rule + "|" + m.kind + "|" + m.expected + "|" + m.observed));
      add(std::move(f));
    }
  }

  const Collector& c_;
  const TraceReader& reader_;
  const CheckOptions& options_;
  const Baseline* baseline_;
  SourceLines sources_;
  std::unordered_map<std::string, int> defined_at_;  // site key -> reads that saw a store
  std::map<std::tuple<Collector::StorageKey, std::string, int, int>, std::string> defined_under_store_;
  std::map<std::pair<std::string, uint32_t>, std::string> normal_cache_;
  std::map<uint32_t, std::string> cwd_cache_;
  std::vector<CheckFinding> found_;
};

}  // namespace

std::string Location::ToString() const {
  if (file.empty()) return "(unknown)";
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Location Location::Parse(std::string_view site) {
  Location l;
  std::string_view file;
  Pos pos;
  if (!SplitSite(site, &file, &pos)) return l;
  l.file = std::string(file);
  l.line = pos.line;
  l.column = pos.col;
  return l;
}

Status RunCheck(TraceReader& reader, const CheckOptions& options, const Baseline* baseline, CheckReport* out,
                ModelSink* also_observe, CheckReport* leaks) {
  Collector collector(reader);
  SinkFanout sinks;
  sinks.Add(&collector);
  if (also_observe) sinks.Add(also_observe);
  ReplaySummary summary;
  Status st = Replay(reader, &sinks, nullptr, &summary);
  if (!st.ok()) return st;
  out->events = summary.events;
  Analyzer(collector, reader, options, baseline).Run(out);
  if (leaks) {
    CheckOptions only_leaks;
    only_leaks.context = only_leaks.hook_rules = only_leaks.mismatches = false;
    only_leaks.leaks = true;
    only_leaks.allow = options.allow;
    leaks->events = summary.events;
    Analyzer(collector, reader, only_leaks, baseline).Run(leaks);
  }
  return Status::Ok();
}

}  // namespace ahtrace::check
