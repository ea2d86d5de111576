#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "common/output_file.h"
#include "graph/graph.h"

namespace ahtrace::cli {

Runner SetupGraph(CLI::App* sub) {
  struct Options {
    std::string trace, output = "-", kind = "trigger", format, engine;
    std::optional<int64_t> root, pid, thread;
    std::optional<double> from_ms, to_ms;
    int depth = -1;
    std::vector<std::string> types, fold;
    bool hide_top_level = false;
    std::optional<size_t> max_nodes;
    int64_t storage = 0;
  };
  auto o = std::make_shared<Options>();
  sub->add_option("trace", o->trace, "Trace directory, stream file or NDJSON file")->required();
  sub->add_option("-o,--output", o->output, "Output file (- = DOT on stdout)")->capture_default_str();
  sub->add_option("--kind", o->kind, "trigger (why a resource exists) or execution (which callback created it)")
      ->check(CLI::IsMember({"trigger", "execution"}))
      ->capture_default_str();
  sub->add_option("--format", o->format, "dot, svg, png, pdf, ... (default: from the output's extension)");
  sub->add_option("--engine", o->engine, "Graphviz layout engine (default: dot up to 2000 nodes, then sfdp)");
  sub->add_option("--root", o->root, "Keep only the subgraph under this async id");
  sub->add_option("--depth", o->depth, "Levels to keep below the root(s)");
  sub->add_option("--type", o->types, "Keep only resources of these types (repeatable); others are folded away");
  sub->add_option("--pid", o->pid, "Keep only this process");
  sub->add_option("--thread", o->thread, "Keep only this thread id (0 = main)");
  sub->add_option("--from-ms", o->from_ms, "Keep resources created at or after this time (ms from the trace start)");
  sub->add_option("--to-ms", o->to_ms, "Keep resources created at or before this time (ms from the trace start)");
  sub->add_option("--fold", o->fold, "Fold away 'ticks' (TickObjects, as node's tests prune them) and/or "
                                     "'promises' (PROMISE chains collapse into their first promise)")
      ->delimiter(',')
      ->check(CLI::IsMember({"ticks", "promises"}));
  sub->add_flag("--hide-top-level", o->hide_top_level, "Leave out the (top-level) root of each thread");
  sub->add_option("--max-nodes", o->max_nodes, "Refuse graphs larger than this (default: 2000 rendered, 100000 DOT)");
  sub->add_option("--storage", o->storage, "Colour nodes by the store of this storage id (default: the first)");
  return [o]() {
    if (Status spared = CheckOutputSparesInput(o->output, o->trace); !spared.ok()) return Fail(spared);
    std::string format = o->format;
    if (format.empty()) {
      std::string ext = std::filesystem::path(o->output).extension().string();
      format = (o->output == "-" || ext.empty()) ? "dot" : ext.substr(1);
    }
    graph::GraphOptions g;
    g.kind = o->kind == "execution" ? graph::GraphKind::kExecution : graph::GraphKind::kTrigger;
    g.root = o->root;
    g.depth = o->depth;
    g.types = o->types;
    g.pid = o->pid;
    g.thread = o->thread;
    g.from_ms = o->from_ms;
    g.to_ms = o->to_ms;
    for (const auto& f : o->fold) {
      g.fold_ticks |= f == "ticks";
      g.fold_promises |= f == "promises";
    }
    g.hide_synthetic = o->hide_top_level;
    g.max_nodes = o->max_nodes.value_or(format == "dot" ? 100000 : 2000);
    g.color_storage = o->storage;

    Status status;
    auto reader = OpenTrace(o->trace, &status);
    if (!reader) return Fail(status);
    ProgressMeter progress("graph");
    progress.SetPhase("replaying");
    reader->set_progress(&progress);
    graph::GraphCollector collector;
    ReplaySummary summary;
    status = Replay(*reader, &collector, nullptr, &summary);
    if (!status.ok()) return Fail(status);
    progress.SetPhase("checking");
    status = graph::HighlightCheckFindings(o->trace, &collector, &progress);
    if (!status.ok()) return Fail(status);
    graph::SelectedGraph selected;
    status = graph::SelectGraph(collector, reader->streams(), g, &selected);
    if (!status.ok()) return Fail(status);
    std::vector<std::vector<StoreInfo>> stores;
    for (uint32_t i = 0; i < reader->streams().size(); ++i) stores.push_back(reader->stores(i));
    if (format == "dot" || format == "gv")
      status = graph::WriteDot(selected, reader->streams(), stores, g, o->output);
    else if (o->output == "-")
      status = UsageError("rendered formats need an output file: -o graph." + format);
    else
      status = graph::Render(selected, reader->streams(), stores, g, o->output, format, o->engine);
    if (!status.ok()) return Fail(status);
    if (o->output != "-")
      std::fprintf(stderr, "ahtrace: wrote %zu node(s) to %s\n", selected.nodes.size(), o->output.c_str());
    return 0;
  };
}

}  // namespace ahtrace::cli
