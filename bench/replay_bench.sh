#!/usr/bin/env bash
# Replay speed and memory on a large real trace.
#
#   bench/replay_bench.sh            (ITER=230000: about 10 million events)
#
# Records bench/workloads/mixed_10m.js once, then measures, each on the same
# trace: `stats` (read only: the reader's speed, the baseline of this run),
# `replay --no-events` (the model plus SQLite without the raw event table),
# `replay` (everything), `check`. Prints events/s, wall seconds, peak RSS,
# and each command's time as a ratio to `stats`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AHTRACE=${AHTRACE_BIN:-$ROOT/build/ahtrace}
ITER=${ITER:-230000}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ahtrace-replay-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ITER=$ITER "$AHTRACE" record -o "$TMP/t.trace" -- node "$ROOT/bench/workloads/mixed_10m.js" >/dev/null
EVENTS=$("$AHTRACE" stats --format json "$TMP/t.trace" | sed -n 's/^  "totalEvents": \([0-9]*\),*/\1/p')
BYTES=$(du -sb "$TMP/t.trace" | cut -f1)
echo "trace: $EVENTS events, $((BYTES / 1048576)) MiB ($ITER iterations of bench/workloads/mixed_10m.js)"
printf '%-22s %10s %14s %12s %10s\n' command seconds events/s "peak RSS" "x stats"
base=""
run() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >/dev/null 2>&1 || true
  read -r secs kb <"$TMP/time"
  [ -n "$base" ] || base=$secs
  awk -v n="$name" -v s="$secs" -v kb="$kb" -v ev="$EVENTS" -v b="$base" \
    'BEGIN { printf "%-22s %10.2f %14.0f %9.1f MiB %9.2fx\n", n, s, ev / s, kb / 1024, s / b }'
}
run "stats" "$AHTRACE" stats "$TMP/t.trace"
run "replay --no-events" "$AHTRACE" replay -q --no-events "$TMP/t.trace" -o "$TMP/a.db"
run "replay" "$AHTRACE" replay -q "$TMP/t.trace" -o "$TMP/b.db"
run "check" "$AHTRACE" check "$TMP/t.trace"
echo "database: $(( $(stat -c %s "$TMP/b.db") / 1048576 )) MiB with events, $(( $(stat -c %s "$TMP/a.db") / 1048576 )) MiB without"
