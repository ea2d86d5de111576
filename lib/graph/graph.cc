#include "graph/graph.h"

#include "check/check.h"
#include "common/io_error.h"
#include "common/output_file.h"
#include "common/utf8.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

namespace ahtrace::graph {
namespace {

// Pastel fills for stores 1, 2, 3, ... of the colouring storage; undefined is white.
constexpr const char* kPalette[] = {"#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#ffff99", "#fb9a99",
                                    "#8dd3c7", "#bebada", "#80b1d3", "#fccde5", "#d9d9d9", "#ccebc5"};

// Graphviz interprets backslash sequences (\N, \G, \n, \l, ...) in labels
// and tooltips; trace strings are untrusted, so they are made literal:
// backslashes doubled, control characters and invalid UTF-8 replaced.
// Quotes, HTML and non-ASCII need nothing here: cgraph quotes on output.
std::string Literal(std::string_view raw, size_t max_bytes = 200) {
  std::string s = XmlSafe(raw);  // the DOT may become SVG
  std::string out;
  size_t i = 0;
  for (; i < s.size() && out.size() < max_bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\')
      out += "\\\\";
    else if (c < 0x20 || c == 0x7f)
      out += ' ';
    else
      out += static_cast<char>(c);
  }
  // Do not cut a multi-byte character in two.
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) out += s[i++];
  if (i < s.size()) out += "...";
  return out;
}

// "/a/b/c/app.js:9:17" -> "c/app.js:9:17": enough to recognise, short enough to read.
std::string ShortSite(const std::string& site) {
  size_t last = site.rfind('/');
  if (last == std::string::npos || last == 0) return site;
  size_t prev = site.rfind('/', last - 1);
  return prev == std::string::npos ? site : site.substr(prev + 1);
}

char* C(const char* s) { return const_cast<char*>(s); }

// cgraph's default ID discipline uses the address of the interned name as
// the ID of a named object, and writes subgraphs in ID order: cluster order
// in the DOT would follow heap addresses. This discipline numbers names in
// creation order instead (even IDs; anonymous objects get odd ones), so the
// output is byte-identical from run to run.
// Names are interned with agstrdup, as cgraph expects of what print returns.
struct SequentialIds {
  Agraph_t* graph;
  std::map<std::string, IDTYPE> by_name;
  std::vector<char*> names;
  IDTYPE next_anonymous = 1;
};
void* IdOpen(Agraph_t* g, Agdisc_t*) { return new SequentialIds{g, {}, {}, 1}; }
long IdMap(void* state, int, char* str, IDTYPE* id, int createflag) {
  auto* ids = static_cast<SequentialIds*>(state);
  if (!str) {
    *id = ids->next_anonymous;
    ids->next_anonymous += 2;
    return 1;
  }
  auto it = ids->by_name.find(str);
  if (it != ids->by_name.end()) {
    *id = it->second;
  } else if (createflag) {
    ids->names.push_back(agstrdup(ids->graph, str));
    *id = 2 * static_cast<IDTYPE>(ids->names.size());
    ids->by_name.emplace(str, *id);
  } else {
    *id = 0;  // as the default discipline: no object has ID 0
  }
  return 1;
}
long IdAlloc(void*, int, IDTYPE) { return 1; }
void IdFree(void*, int, IDTYPE) {}
char* IdPrint(void* state, int, IDTYPE id) {
  auto* ids = static_cast<SequentialIds*>(state);
  if (id % 2 != 0 || id == 0 || id / 2 > ids->names.size()) return nullptr;
  return ids->names[id / 2 - 1];
}
void IdClose(void* state) { delete static_cast<SequentialIds*>(state); }
void IdRegister(void*, int, void*) {}
Agiddisc_t kSequentialIdDisc = {IdOpen, IdMap, IdAlloc, IdFree, IdPrint, IdClose, IdRegister};
Agdisc_t kDeterministicDisc = {&AgMemDisc, &kSequentialIdDisc, &AgIoDisc};

void Set(void* obj, const char* name, const std::string& value) {
  agsafeset(obj, C(name), C(value.c_str()), C(""));
}

StoreId StoreOf(const GraphNode& n, StorageId storage) {
  for (const auto& slot : n.stores)
    if (slot.storage == storage) return slot.store;
  return kUndefinedStore;
}

constexpr size_t kMaxStreamClusters = 256;

// Builds the cgraph graph. The caller closes it.
Agraph_t* Build(const SelectedGraph& sel, const std::vector<StreamInfo>& streams,
                const std::vector<std::vector<StoreInfo>>& stores, const GraphOptions& options) {
  Agraph_t* g = agopen(C("ahtrace"), Agdirected, &kDeterministicDisc);
  agattr(g, AGRAPH, C("label"),
         C(options.kind == GraphKind::kTrigger ? "trigger graph (edge: trigger -> resource it triggered)"
                                               : "execution graph (edge: running callback -> resource it created)"));
  agattr(g, AGRAPH, C("fontname"), C("Helvetica"));
  agattr(g, AGRAPH, C("charset"), C("UTF-8"));
  agattr(g, AGNODE, C("shape"), C("box"));
  agattr(g, AGNODE, C("style"), C("rounded,filled"));
  agattr(g, AGNODE, C("fillcolor"), C("white"));
  agattr(g, AGNODE, C("fontname"), C("Helvetica"));
  agattr(g, AGNODE, C("fontsize"), C("10"));
  agattr(g, AGNODE, C("color"), C("black"));
  agattr(g, AGNODE, C("penwidth"), C("1"));
  agattr(g, AGNODE, C("peripheries"), C("1"));
  agattr(g, AGNODE, C("tooltip"), C(""));
  agattr(g, AGEDGE, C("color"), C("#555555"));

  std::map<uint32_t, Agraph_t*> clusters;
  std::set<uint32_t> used_streams;
  for (const GraphNode* n : sel.nodes) used_streams.insert(n->stream);
  // One cluster per stream, up to a limit: cgraph writes a graph by asking,
  // for every node, each subgraph whether it holds the node, so clusters
  // cost nodes x streams (8,000 streams took 15 s; 200,000 never ended).
  // Past the limit nodes stay in the root graph and name their process.
  bool clustered = used_streams.size() <= kMaxStreamClusters;
  auto stream_name = [&](uint32_t s) {
    const StreamInfo& info = streams[s];
    return "pid " + std::to_string(info.pid) +
           (info.is_main_thread ? " main thread" : " worker thread " + std::to_string(info.thread_id));
  };
  if (!clustered) {
    agattr(g, AGRAPH, C("label"),
           C((std::string(agget(g, C("label"))) + "; " + std::to_string(used_streams.size()) +
              " processes/threads, too many to draw as clusters: each node names its own")
                 .c_str()));
  } else {
    for (uint32_t s : used_streams) {
      std::string name = "cluster_s" + std::to_string(s);
      Agraph_t* sub = agsubg(g, C(name.c_str()), 1);
      Set(sub, "label", stream_name(s));
      Set(sub, "style", "rounded");
      Set(sub, "color", "#999999");
      clusters[s] = sub;
    }
  }
  std::map<uint64_t, Agnode_t*> made;
  for (const GraphNode* n : sel.nodes) {
    std::string name = "r" + std::to_string(n->key);
    Agnode_t* node = agnode(clustered ? clusters[n->stream] : g, C(name.c_str()), 1);
    made[n->key] = node;
    std::string label = Literal(n->type, 60) + " " + std::to_string(n->async_id);
    std::string tooltip = Literal(n->type) + " async id " + std::to_string(n->async_id);
    if (!clustered) {
      label += "\\n" + stream_name(n->stream);
      tooltip += " in " + stream_name(n->stream);
    }
    if (!n->site.empty()) {
      label += "\\n" + Literal(ShortSite(n->site), 80);
      tooltip += " created at " + Literal(n->site);
    }
    StoreId store = StoreOf(*n, sel.color_storage);
    if (store != kUndefinedStore) {
      const auto& table = stores[n->stream];
      std::string store_label = static_cast<size_t>(store) < table.size() ? table[store].label : "store " + std::to_string(store);
      label += "\\nstore: " + Literal(store_label, 40);
      Set(node, "fillcolor", StoreFillColour(store));
    }
    if (n->context_lost) {
      Set(node, "color", "red");
      Set(node, "penwidth", "3");
      label += "\\ncontext lost here";
      tooltip += "; getStore() lost the store while it ran (ahtrace check)";
    }
    if (n->context_break) {
      Set(node, "color", "darkorange");
      Set(node, "penwidth", "3");
      Set(node, "style", "rounded,filled,bold");
      label += "\\nstore disappears here";
      tooltip += "; where the store disappeared (ahtrace check)";
    }
    if (n->leaked) {
      Set(node, "color", "purple");
      Set(node, "penwidth", "3");
      tooltip += "; reported as a leak (ahtrace check --leaks)";
    }
    if (n->has_mismatch) {
      Set(node, "color", "red");
      Set(node, "penwidth", "3");
      tooltip += "; the model and node disagree here (see replay findings)";
    }
    if (n->alive_at_end && n->type != "PROMISE") {
      Set(node, "peripheries", "2");
      tooltip += "; still alive at the end of the trace";
    }
    if (n->synthetic) Set(node, "style", "rounded,dashed");
    Set(node, "label", label);
    Set(node, "tooltip", tooltip);
  }
  for (const GraphNode* n : sel.nodes) {
    auto p = sel.parent.find(n->key);
    if (p == sel.parent.end()) continue;
    auto from = made.find(p->second);
    if (from == made.end()) continue;
    agedge(g, from->second, made[n->key], nullptr, 1);
  }
  return g;
}

}  // namespace

GraphNode& GraphCollector::NodeFor(const Resource& r) {
  GraphNode& n = nodes_[r.key];
  if (n.key == 0) {
    n.key = r.key;
    n.stream = r.stream;
    n.async_id = r.id.value;
    n.type = std::string(r.type);
    n.site = std::string(r.site);
    n.trigger_key = r.trigger_key;
    n.creator_key = r.creator_key;
    n.init_ts_ns = r.init_ts_ns;
    n.synthetic = r.synthetic;
  }
  keys_[{r.stream, r.id.value}] = r.key;
  return n;
}

void GraphCollector::OnInit(const Event& e, const Resource& r) { NodeFor(r); }

void GraphCollector::OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store,
                                StoreCause cause) {
  // Colour by the store the resource was created with, or the one
  // enterWith() gave it for good; run() only lends a store for a while.
  if (cause == StoreCause::kRun || cause == StoreCause::kRunRestore) return;
  GraphNode& n = NodeFor(r);
  for (auto& slot : n.stores) {
    if (slot.storage == storage) {
      if (slot.store == kUndefinedStore) slot.store = store;
      return;
    }
  }
  n.stores.push_back({storage, store});
}

GraphNode* GraphCollector::Find(uint32_t stream, int64_t async_id) {
  auto it = keys_.find({stream, async_id});
  return it == keys_.end() ? nullptr : &nodes_[it->second];
}

void GraphCollector::OnFinding(const Finding& f) {
  if (!std::strstr(f.kind, "mismatch")) return;
  if (GraphNode* n = Find(f.stream, f.async_id.value)) n->has_mismatch = true;
}

void GraphCollector::OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                                 const std::vector<CallbackSpan>& unfinished) {
  for (const Resource* r : alive) NodeFor(*r).alive_at_end = !r->synthetic;
}

Status HighlightCheckFindings(const std::string& trace_path, GraphCollector* collector, ProgressMeter* progress) {
  Status status;
  auto reader = OpenTrace(trace_path, &status);
  if (!reader) return status;
  reader->set_progress(progress);
  check::CheckOptions options;
  options.leaks = true;
  options.hook_rules = options.mismatches = false;
  check::CheckReport report;
  status = check::RunCheck(*reader, options, nullptr, &report);
  if (!status.ok()) return status;
  MarkCheckFindings(report, collector);
  return Status::Ok();
}

void MarkCheckFindings(const check::CheckReport& report, GraphCollector* collector) {
  for (const auto& f : report.findings) {
    if (GraphNode* n = collector->Find(f.stream, f.read_async_id)) {
      if (f.rule == "leak")
        n->leaked = true;
      else
        n->context_lost = true;
    }
    if (GraphNode* n = f.break_async_id ? collector->Find(f.stream, f.break_async_id) : nullptr)
      n->context_break = true;
  }
}

const char* StoreFillColour(StoreId store) {
  if (store == kUndefinedStore) return "white";
  return kPalette[(store - 1) % (sizeof kPalette / sizeof kPalette[0])];
}

namespace {
uint64_t ParentIn(const GraphCollector& collected, GraphKind kind, uint64_t key) {
  const auto& nodes = collected.nodes();
  auto it = nodes.find(key);
  if (it == nodes.end()) return 0;
  uint64_t p = kind == GraphKind::kTrigger ? it->second.trigger_key : it->second.creator_key;
  return nodes.count(p) ? p : 0;
}

// The storage whose stores colour a picture by default: the lowest-numbered
// one any node carries (0 = none).
StorageId LowestStorage(const std::vector<const GraphNode*>& nodes) {
  StorageId lowest = 0;
  for (const GraphNode* n : nodes)
    for (const auto& slot : n->stores)
      if (lowest == 0 || slot.storage < lowest) lowest = slot.storage;
  return lowest;
}
}  // namespace

std::vector<uint64_t> ChainsOf(const GraphCollector& collected, GraphKind kind, const std::vector<uint64_t>& centres,
                               int levels_up) {
  std::vector<uint64_t> chains;
  std::set<uint64_t> seen;
  for (uint64_t centre : centres)
    if (collected.nodes().count(centre) && seen.insert(centre).second) chains.push_back(centre);
  for (uint64_t centre : centres) {
    uint64_t at = centre;
    for (int level = 0; level < levels_up; ++level) {
      at = ParentIn(collected, kind, at);
      if (!at) break;
      if (seen.insert(at).second) chains.push_back(at);
    }
  }
  return chains;
}

ChildIndex IndexChildren(const GraphCollector& collected, GraphKind kind, size_t per_node,
                         const std::set<uint64_t>& parents) {
  ChildIndex index;
  index.kind = kind;
  for (const auto& [key, n] : collected.nodes()) {
    uint64_t parent = kind == GraphKind::kTrigger ? n.trigger_key : n.creator_key;
    if (!parent || !parents.count(parent)) continue;
    auto& list = index.first_children[parent];
    if (list.size() < per_node) list.push_back(key);
  }
  return index;
}

void SelectNeighbourhood(const GraphCollector& collected, const ChildIndex& children, const Neighbourhood& around,
                         SelectedGraph* out) {
  const auto& nodes = collected.nodes();
  std::set<uint64_t> keep;
  std::vector<uint64_t> chains = ChainsOf(collected, children.kind, around.centres, around.levels_up);
  for (uint64_t key : chains)
    if (keep.size() < around.max_nodes) keep.insert(key);
  for (uint64_t key : chains) {
    auto c = children.first_children.find(key);
    if (c == children.first_children.end() || !keep.count(key)) continue;
    for (size_t i = 0; i < c->second.size() && i < around.children_per_node && keep.size() < around.max_nodes; ++i)
      keep.insert(c->second[i]);
  }
  out->nodes.clear();
  out->parent.clear();
  for (uint64_t key : keep) {  // keys are in creation order
    out->nodes.push_back(&nodes.at(key));
    uint64_t p = ParentIn(collected, children.kind, key);
    if (p && keep.count(p)) out->parent[key] = p;
  }
  out->color_storage = LowestStorage(out->nodes);
}

Status SelectGraph(const GraphCollector& collected, const std::vector<StreamInfo>& streams,
                   const GraphOptions& options, SelectedGraph* out) {
  const auto& nodes = collected.nodes();
  auto stream_selected = [&](uint32_t s) {
    if (s >= streams.size()) return false;
    if (options.pid && streams[s].pid != *options.pid) return false;
    if (options.thread && streams[s].thread_id != *options.thread) return false;
    return true;
  };
  int64_t trace_start = INT64_MAX;
  for (const auto& [key, n] : nodes)
    if (!n.synthetic && n.init_ts_ns) trace_start = std::min(trace_start, n.init_ts_ns);
  std::set<std::string> types(options.types.begin(), options.types.end());

  // Pass 1, in creation order (a parent always precedes its children): which
  // nodes are visible, and each node's nearest visible ancestor.
  std::map<uint64_t, uint64_t> visible_parent;
  std::set<uint64_t> visible;
  for (const auto& [key, n] : nodes) {
    if (!stream_selected(n.stream)) continue;
    uint64_t raw = options.kind == GraphKind::kTrigger ? n.trigger_key : n.creator_key;
    uint64_t parent = 0;
    if (raw && nodes.count(raw)) parent = visible.count(raw) ? raw : visible_parent[raw];
    visible_parent[key] = parent;
    bool show = true;
    if (n.synthetic && options.hide_synthetic) show = false;
    if (!types.empty() && !types.count(n.type) && !n.synthetic) show = false;
    if (options.fold_ticks && n.type == "TickObject") show = false;
    if (options.fold_promises && n.type == "PROMISE" && parent && nodes.at(parent).type == "PROMISE") show = false;
    if (!n.synthetic && (options.from_ms || options.to_ms)) {
      double at_ms = static_cast<double>(n.init_ts_ns - trace_start) / 1e6;
      if (options.from_ms && at_ms < *options.from_ms) show = false;
      if (options.to_ms && at_ms > *options.to_ms) show = false;
    }
    if (options.root && n.async_id == *options.root) show = true;  // the root is always shown
    if (show) visible.insert(key);
  }

  std::map<uint64_t, std::vector<uint64_t>> children;
  std::vector<uint64_t> roots;
  for (uint64_t key : visible) {
    uint64_t p = visible_parent[key];
    if (p) children[p].push_back(key);
  }
  for (uint64_t key : visible) {
    // A synthetic context nothing was created in ((process) when no exit
    // listener made anything) is noise, not a root.
    if (!visible_parent[key] && (!nodes.at(key).synthetic || children.count(key))) roots.push_back(key);
  }
  if (options.root) {
    roots.clear();
    std::set<uint32_t> in_streams;
    for (uint64_t key : visible) {
      if (nodes.at(key).async_id == *options.root) {
        roots.push_back(key);
        in_streams.insert(nodes.at(key).stream);
      }
    }
    if (roots.empty())
      return UsageError("--root " + std::to_string(*options.root) + ": no resource with that async id in the selected streams");
    if (roots.size() > 1) {
      std::string where;
      for (uint32_t s : in_streams)
        where += " pid " + std::to_string(streams[s].pid) + " thread " + std::to_string(streams[s].thread_id) + ";";
      return UsageError("--root " + std::to_string(*options.root) +
                        " names a resource in several streams (async ids are per thread):" + where +
                        " choose one with --pid and --thread");
    }
  }
  // Pass 2: walk down from the roots, depth-limited, in creation order.
  std::set<uint64_t> keep;
  std::vector<std::pair<uint64_t, int>> todo;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) todo.push_back({*it, 0});
  while (!todo.empty()) {
    auto [key, depth] = todo.back();
    todo.pop_back();
    if (!keep.insert(key).second) continue;
    if (options.depth >= 0 && depth >= options.depth) continue;
    auto c = children.find(key);
    if (c == children.end()) continue;
    for (auto it = c->second.rbegin(); it != c->second.rend(); ++it) todo.push_back({*it, depth + 1});
  }
  if (keep.size() > options.max_nodes) {
    return UsageError("the graph has " + std::to_string(keep.size()) + " nodes, more than --max-nodes " +
                      std::to_string(options.max_nodes) +
                      "; narrow it with --root ID --depth N, --type, --pid/--thread, --from-ms/--to-ms, or "
                      "--fold ticks,promises (or raise --max-nodes)");
  }
  out->nodes.clear();
  out->parent.clear();
  for (uint64_t key : keep) {
    out->nodes.push_back(&nodes.at(key));
    uint64_t p = visible_parent[key];
    if (p && keep.count(p)) out->parent[key] = p;
  }
  out->color_storage = options.color_storage;
  if (out->color_storage == 0) out->color_storage = LowestStorage(out->nodes);
  return Status::Ok();
}

Status WriteDot(const SelectedGraph& sel, const std::vector<StreamInfo>& streams,
                const std::vector<std::vector<StoreInfo>>& stores, const GraphOptions& options,
                const std::string& path) {
  Agraph_t* g = Build(sel, streams, stores, options);
  bool to_stdout = path == "-";
  std::string tmp = TemporaryPathFor(path);
  FILE* f = to_stdout ? stdout : std::fopen(tmp.c_str(), "wb");
  if (!f) {
    agclose(g);
    return OutputError(path + ": cannot write " + tmp + ": " + IoErrorText(errno));
  }
  int rc = agwrite(g, f);
  agclose(g);
  if (to_stdout) return rc == 0 ? Status::Ok() : OutputError("writing DOT to stdout failed");
  int write_errno = rc != 0 ? errno : 0;
  if (std::fclose(f) != 0 && !write_errno) write_errno = errno;
  if (write_errno || rc != 0) {
    std::remove(tmp.c_str());
    return OutputError(path + ": cannot write " + tmp + ": " + IoErrorText(write_errno ? write_errno : EIO));
  }
  return RenameIntoPlace(tmp, path);
}

Status RenderToString(const SelectedGraph& sel, const std::vector<StreamInfo>& streams,
                      const std::vector<std::vector<StoreInfo>>& stores, const GraphOptions& options,
                      const std::string& format, const std::string& engine, std::string* out) {
  std::string chosen = engine.empty() ? (sel.nodes.size() <= 2000 ? "dot" : "sfdp") : engine;
  Agraph_t* g = Build(sel, streams, stores, options);
  GVC_t* gvc = gvContext();
  Status result = Status::Ok();
  if (gvLayout(gvc, g, chosen.c_str()) != 0) {
    result = UsageError("layout engine \"" + chosen + "\" failed (is it a Graphviz engine: dot, sfdp, neato, fdp?)");
  } else {
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(gvc, g, format.c_str(), &data, &length) != 0)
      result = UsageError("cannot render format \"" + format + "\" (svg, png, pdf, ... as Graphviz knows them)");
    else
      out->assign(data, length);
    if (data) gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  gvFreeContext(gvc);
  return result;
}

Status Render(const SelectedGraph& sel, const std::vector<StreamInfo>& streams,
              const std::vector<std::vector<StoreInfo>>& stores, const GraphOptions& options,
              const std::string& path, const std::string& format, const std::string& engine) {
  std::string rendered;
  Status result = RenderToString(sel, streams, stores, options, format, engine, &rendered);
  if (!result.ok()) return result;
  return WriteOutputFile(path, rendered);
}

}  // namespace ahtrace::graph
