#!/usr/bin/env bash
# Measures what recording costs.
#
#   bench/record_overhead.sh [RUNS]
#
# Runs every workload in bench/workloads/ RUNS times (default 3; the median is
# reported) as
#   bare       node workload.js
#   empty-hook node with an async hook whose five callbacks do nothing
#              (workloads/noop_hook.js): the floor for any async_hooks recorder
#   recorder   node with lib/record/preload.js (AHTRACE_DIR = a temp dir)
#   ahtrace    `ahtrace record -o DIR -- node workload.js`, if AHTRACE_BIN is
#              set or build/ahtrace exists (the program's modules instrumented
#              for the wrong-store rule), and again with --no-instrument
# and prints wall seconds, the ratios to bare and to the empty hook, requests/s
# (http workload), trace bytes and events written, and peak RSS (when GNU
# time is at /usr/bin/time).
#
# Environment:
#   RUNS=3                      same as the argument
#   WORKLOADS="promise_heavy http_als"
#   STACKS="default"            recorder stack modes to run (e.g. "none default all")
#   AHTRACE_BIN=path/to/ahtrace
#   ITER=100000                 promise_heavy iterations (3 awaits each)
#   REQUESTS=20000 CONCURRENCY=50   http_als
#   NODES="20 24"               node lines to measure one after the other in this
#                               run (scripts/install-node.sh); default: NODE=node
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -n "${NODES:-}" ]]; then
  # NODES="20 24": measure each line one after the other in this run.
  # shellcheck disable=SC2086
  "$ROOT/scripts/install-node.sh" $NODES | while read -r line bin; do
    echo "=== node $line ($("$bin" --version), AsyncLocalStorage: $("$bin" -p \
      "typeof require('async_hooks').AsyncLocalStorage.prototype._propagate === 'function' ? 'async_hooks' : 'AsyncContextFrame'"))"
    NODES="" NODE="$bin" "${BASH_SOURCE[0]}" "$@" </dev/null
  done
  exit 0
fi
RUNS=${1:-${RUNS:-3}}
WORKLOADS=${WORKLOADS:-"promise_heavy http_als"}
STACKS=${STACKS:-default}
PRELOAD="$ROOT/lib/record/preload.js"
NOOP="$ROOT/bench/workloads/noop_hook.js"
NODE=${NODE:-node}
if [[ -z "${AHTRACE_BIN:-}" && -x "$ROOT/build/ahtrace" ]]; then AHTRACE_BIN="$ROOT/build/ahtrace"; fi
AHTRACE_BIN=${AHTRACE_BIN:-}

GNU_TIME=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then GNU_TIME=/usr/bin/time; fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ahtrace-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
unset NODE_OPTIONS AHTRACE_DIR AHTRACE_STACKS || true

# Counts the records of the .ahs streams in a directory: "<bytes> <events>",
# events = hook + ALS + streamEnd records (string/store definitions excluded).
count_trace() {
  "$NODE" -e '
    const fs = require("fs"), path = require("path");
    let bytes = 0, events = 0;
    const dir = process.argv[1];
    const buf = Buffer.alloc(56 * 8192);
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith(".ahs")) continue;
      const file = path.join(dir, f);
      bytes += fs.statSync(file).size;
      const fd = fs.openSync(file, "r");
      const head = Buffer.alloc(16);
      fs.readSync(fd, head, 0, 16, 0);
      let pos = 16 + head.readUInt32LE(12);
      let skip = 0;
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, pos);
        const whole = n - (n % 56);
        if (whole === 0) break;
        for (let off = 0; off < whole; off += 56) {
          if (skip > 0) { skip--; continue; }
          const kind = buf.readUInt32LE(off);
          if (kind === 16) skip = Math.ceil(buf.readDoubleLE(off + 8) / 56);
          else if (kind !== 17) events++;
        }
        pos += whole;
      }
      fs.closeSync(fd);
    }
    console.log(bytes + " " + events);
  ' "$1"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# run_one MODE WORKLOAD RUN -> appends "wall rss rps bytes events" to $TMP/MODE.WORKLOAD
run_one() {
  local mode=$1 wl=$2 script="$ROOT/bench/workloads/$2.js"
  local out="$TMP/out" trace="$TMP/trace" rssf="$TMP/rss"
  rm -rf "$trace" "$rssf"
  local -a cmd=("$NODE" "$script") envs=()
  case $mode in
    bare) ;;
    empty-hook) envs=(NODE_OPTIONS="--require=$NOOP") ;;
    recorder:*) mkdir -p "$trace"
      envs=(NODE_OPTIONS="--require=$PRELOAD" AHTRACE_DIR="$trace" AHTRACE_STACKS="${mode#recorder:}") ;;
    ahtrace) cmd=("$AHTRACE_BIN" record -o "$trace" -- "$NODE" "$script") ;;
    ahtrace:no-instrument) cmd=("$AHTRACE_BIN" record --no-instrument -o "$trace" -- "$NODE" "$script") ;;
  esac
  local -a timer=()
  [[ -n $GNU_TIME ]] && timer=("$GNU_TIME" -f '%M' -o "$rssf")
  local t0 t1
  t0=$(date +%s%N)
  if ! env "${envs[@]}" "${timer[@]}" "${cmd[@]}" > "$out" 2> "$TMP/err"; then
    echo "warning: $mode $wl failed: $(tail -n 3 "$TMP/err")" >&2
  fi
  t1=$(date +%s%N)
  local wall rss="-" rps="-" bytes="-" events="-"
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  [[ -s $rssf ]] && rss=$(awk '{ v = $1 } END { printf "%.0f", v / 1024 }' "$rssf")
  rps=$(sed -n 's/.*requests_per_s=\([0-9]*\).*/\1/p' "$out" | tail -n 1)
  [[ -z $rps ]] && rps="-"
  if [[ -d $trace ]]; then read -r bytes events < <(count_trace "$trace"); fi
  echo "$wall $rss $rps $bytes $events" >> "$TMP/$mode.$wl"
}

MODES=(bare empty-hook)
for s in $STACKS; do MODES+=("recorder:$s"); done
[[ -n $AHTRACE_BIN ]] && MODES+=(ahtrace ahtrace:no-instrument)

echo "node $("$NODE" --version), $RUNS run(s) per mode, $(nproc) cpu(s)${GNU_TIME:+, peak RSS from $GNU_TIME}"
for wl in $WORKLOADS; do
  for ((r = 1; r <= RUNS; r++)); do
    for mode in "${MODES[@]}"; do run_one "$mode" "$wl" "$r"; done
  done
done

printf '\n%-14s %-17s %8s %8s %8s %9s %10s %11s %8s\n' workload mode wall_s x_bare x_empty req_per_s trace_MB events rss_MB
for wl in $WORKLOADS; do
  bare=$(cut -d' ' -f1 "$TMP/bare.$wl" | median)
  empty=$(cut -d' ' -f1 "$TMP/empty-hook.$wl" | median)
  for mode in "${MODES[@]}"; do
    f="$TMP/$mode.$wl"
    wall=$(cut -d' ' -f1 "$f" | median)
    rss=$(cut -d' ' -f2 "$f" | grep -v -- - | median || true)
    rps=$(cut -d' ' -f3 "$f" | grep -v -- - | median || true)
    bytes=$(tail -n 1 "$f" | cut -d' ' -f4)
    events=$(tail -n 1 "$f" | cut -d' ' -f5)
    mb="-"; [[ $bytes != "-" ]] && mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
    printf '%-14s %-17s %8.3f %8.2f %8.2f %9s %10s %11s %8s\n' "$wl" "$mode" "$wall" \
      "$(awk -v a="$wall" -v b="$bare" 'BEGIN { print a / b }')" \
      "$(awk -v a="$wall" -v b="$empty" 'BEGIN { print a / b }')" \
      "${rps:--}" "$mb" "$events" "${rss:--}"
  done
done
