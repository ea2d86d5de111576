#!/usr/bin/env bash
# Runs every ahtrace benchmark, with its peers and baselines measured in the
# same run, and prints one table (and writes it as JSON).
#
#   bench/run.sh [--quick] [--json FILE] [--plot FILE.svg] [--runs N]
#                [--nodes "20 24"] [--only recording|replay]
#                [--modes LIST] [--peer-timeout S]
#
# Recording (each node line, workloads promise_heavy and http_als): bare
# node, node with an empty five-callback hook (the floor), `ahtrace record`
# (default stacks and --stacks none), node's own trace events
# (--trace-event-categories node.async_hooks) and clinic bubbleprof's
# collection (clinic pinned, installed from the npm registry into
# ~/.cache/ahtrace/clinic, never into this tree; its exact error is the row's
# note where it fails). Replay (a trace recorded from mixed_10m.js): `cat` of
# the trace, a bare SQLite prepared-insert loop of one row per event
# (build/bench/sqlite_insert_loop), `stats`, `replay --no-events`, `replay`,
# `check`. Curve: replay and check seconds and peak RSS against trace length.
#
# Each figure is the median of N interleaved runs (every step once, then
# again) with min and max. Needs a build (build/ahtrace and
# build/bench/sqlite_insert_loop: cmake --build build) and /usr/bin/time.
#
#   --quick          small workloads, 1 run, node 20 only: a smoke test (~2 min)
#   --json FILE      default bench/results/<UTC date>.json
#   --plot FILE      the curve as SVG; default beside the JSON
#   --runs N         default 3 (--quick: 1)
#   --nodes LINES    node lines (scripts/install-node.sh); default "20 24",
#                    a line that cannot be installed is skipped with a note
#   --only SECTION   recording or replay
#   --modes LIST     recording steps, comma-separated, of: bare empty-hook
#                    ahtrace ahtrace:none ahtrace:als ahtrace:all
#                    ahtrace:no-instrument trace-events bubbleprof
#   --peer-timeout S one peer run is stopped after S seconds (default 300)
#
# Environment: AHTRACE_BIN (default build/ahtrace), SQLITE_LOOP_BIN.
# On a shared machine wrap it in `flock LOCKFILE`, the lock builds take:
# timings taken while something else builds are meaningless.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The harness runs on the node in PATH; the node lines it measures are
# given to it by path, so the harness itself is the same for every line.
exec node "$ROOT/bench/suite.js" "$@"
