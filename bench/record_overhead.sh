#!/usr/bin/env bash
# Measures what recording costs: the recording part of bench/run.sh, without
# the peers (node's trace events, clinic bubbleprof) and without the replay.
#
#   bench/record_overhead.sh [RUNS [RUN.SH OPTIONS]]   (default 3; median, min and max)
#
# Steps: bare node, the empty five-callback hook (the floor), `ahtrace record`
# with default stacks, with --stacks none and with --no-instrument, on
# bench/workloads/promise_heavy.js and http_als.js. NODES="20 24" measures
# those lines one after the other (default 20). bench/run.sh holds the logic
# and documents the table; this is its shortcut.
set -euo pipefail
RUNS=${1:-3}
shift || true
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --only recording --runs "$RUNS" --nodes "${NODES:-20}" \
  --modes bare,empty-hook,ahtrace,ahtrace:none,ahtrace:no-instrument "$@"
