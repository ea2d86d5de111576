// Trigger and execution graphs of a replayed trace, built with Graphviz's
// libcgraph (every node, edge and attribute set through the API, never DOT
// text assembled by hand) and rendered with libgvc.
//
// Pipeline: GraphCollector (a ModelSink) keeps one compact node per
// resource during replay; SelectGraph applies the user's filters (streams,
// types, time window, folding, root and depth) and the node limit; then
// WriteDot or Render. Node and edge order follow resource creation order,
// so the same trace and options always give byte-identical DOT.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/replay.h"

namespace ahtrace::check {
struct CheckReport;
}

namespace ahtrace::graph {

enum class GraphKind { kTrigger, kExecution };

struct GraphNode {
  uint64_t key = 0;            // Resource::key
  uint32_t stream = 0;
  int64_t async_id = 0;
  std::string type;
  std::string site;
  uint64_t trigger_key = 0;    // parent in the trigger graph (0 = none)
  uint64_t creator_key = 0;    // parent in the execution graph
  int64_t init_ts_ns = 0;
  bool synthetic = false;
  bool alive_at_end = false;
  bool has_mismatch = false;   // a finding of kind *-mismatch points at it
  bool context_lost = false;   // `check` found a lost store read while this resource ran
  bool context_break = false;  // `check` found the store disappeared at this resource
  bool leaked = false;         // `check --leaks` reported it
  std::vector<StoreSlot> stores;  // as propagated at init
};

class GraphCollector : public ModelSink {
 public:
  void OnInit(const Event& e, const Resource& r) override;
  void OnStoreSet(const Event* e, const Resource& r, StorageId storage, StoreId store, StoreCause cause) override;
  void OnFinding(const Finding& f) override;
  void OnStreamEnd(uint32_t stream, const std::vector<const Resource*>& alive,
                   const std::vector<CallbackSpan>& unfinished) override;

  // Nodes by key (creation order).
  const std::map<uint64_t, GraphNode>& nodes() const { return nodes_; }
  // The node of an async id in a stream, or null.
  GraphNode* Find(uint32_t stream, int64_t async_id);

 private:
  GraphNode& NodeFor(const Resource& r);
  std::map<uint64_t, GraphNode> nodes_;
  std::map<std::pair<uint32_t, int64_t>, uint64_t> keys_;  // (stream, async id) -> key
};

// Runs `check` (context loss and leaks) on the trace at `trace_path` and
// marks its findings on the collected nodes: where a store was lost, where
// it disappeared, what leaked. `progress` (may be null) shows the reading.
Status HighlightCheckFindings(const std::string& trace_path, GraphCollector* collector,
                              ProgressMeter* progress = nullptr);
// The same marks, from a check already run on the trace the collector saw.
void MarkCheckFindings(const check::CheckReport& report, GraphCollector* collector);

// The fill colour of store `store` (1, 2, ...) of the colouring storage,
// shared by every picture of stores (graph nodes, the report's timeline);
// undefined (0) has none: white in graphs.
const char* StoreFillColour(StoreId store);

struct GraphOptions {
  GraphKind kind = GraphKind::kTrigger;
  std::optional<int64_t> root;       // async id whose subgraph to keep
  int depth = -1;                    // levels below the root (or below the roots); -1 = all
  std::vector<std::string> types;    // keep only these types (others are folded away)
  std::optional<int64_t> pid, thread;
  std::optional<double> from_ms, to_ms;  // creation time window, ms from the trace start
  bool fold_ticks = false;           // remove TickObjects, re-pointing their children
  bool fold_promises = false;        // collapse PROMISE -> PROMISE chains into their first promise
  bool hide_synthetic = false;       // drop the (top-level) roots
  size_t max_nodes = 2000;
  StorageId color_storage = 0;       // storage whose store colours nodes; 0 = the first one seen
};

// The graph after filtering: nodes and their parent in the chosen graph.
struct SelectedGraph {
  std::vector<const GraphNode*> nodes;      // creation order
  std::map<uint64_t, uint64_t> parent;      // node key -> visible parent key
  StorageId color_storage = 0;
};

Status SelectGraph(const GraphCollector& collected, const std::vector<StreamInfo>& streams,
                   const GraphOptions& options, SelectedGraph* out);

// The chains of parents of `centres` in one graph, each up to `levels_up`
// levels: centres first, then each chain bottom-up, no key twice.
std::vector<uint64_t> ChainsOf(const GraphCollector& collected, GraphKind kind, const std::vector<uint64_t>& centres,
                               int levels_up);

// The first few children (creation order) of the nodes `parents` names, in
// one graph: what a neighbourhood picture shows beside a chain. One pass
// over the nodes; memory bounded by `per_node` per parent asked for.
struct ChildIndex {
  GraphKind kind = GraphKind::kTrigger;
  std::map<uint64_t, std::vector<uint64_t>> first_children;
};
ChildIndex IndexChildren(const GraphCollector& collected, GraphKind kind, size_t per_node,
                         const std::set<uint64_t>& parents);

// A small graph around some resources (a finding's read and break): each
// centre's chain of parents, up to `levels_up`, and up to `children_per_node`
// children of every node on a chain; never more than `max_nodes` (centres
// and chains come first, so a deep chain is cut at the top, not the bottom).
struct Neighbourhood {
  std::vector<uint64_t> centres;  // node keys
  int levels_up = 8;
  size_t children_per_node = 2;
  size_t max_nodes = 30;
};
// The neighbourhood in `children.kind`'s graph (`children` must index the
// chains: ChainsOf); no node for any centre leaves `out` empty.
void SelectNeighbourhood(const GraphCollector& collected, const ChildIndex& children, const Neighbourhood& around,
                         SelectedGraph* out);

// Writes DOT (through cgraph's agwrite) to `path`, via a temporary file.
Status WriteDot(const SelectedGraph& g, const std::vector<StreamInfo>& streams,
                const std::vector<std::vector<StoreInfo>>& stores, const GraphOptions& options,
                const std::string& path);

// Lays the graph out and renders it (svg, png, pdf, ...) with libgvc.
// `engine` empty = dot up to 2000 nodes, sfdp above (see README).
Status Render(const SelectedGraph& g, const std::vector<StreamInfo>& streams,
              const std::vector<std::vector<StoreInfo>>& stores, const GraphOptions& options,
              const std::string& path, const std::string& format, const std::string& engine);

// As Render, into `*out` instead of a file (the HTML report inlines SVG).
Status RenderToString(const SelectedGraph& g, const std::vector<StreamInfo>& streams,
                      const std::vector<std::vector<StoreInfo>>& stores, const GraphOptions& options,
                      const std::string& format, const std::string& engine, std::string* out);

}  // namespace ahtrace::graph
