#!/usr/bin/env bash
# Replay speed and memory on large real traces: the replay part of
# bench/run.sh, one run.
#
#   bench/replay_bench.sh [RUNS [RUN.SH OPTIONS]]      (default 1)
#
# Records bench/workloads/mixed_10m.js at four lengths (up to about 10
# million events) and measures on the longest `cat`, a bare SQLite insert
# loop of one row per event, `stats`, `replay --no-events`, `replay` and
# `check`, and replay and check on every length (the curve). bench/run.sh
# holds the logic and documents the table; this is its shortcut.
set -euo pipefail
RUNS=${1:-1}
shift || true
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --only replay --runs "$RUNS" --nodes 20 "$@"
