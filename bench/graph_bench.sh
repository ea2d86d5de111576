#!/usr/bin/env bash
# DOT export and rendering time for graphs of 1k, 10k and 100k resources.
#
#   bench/graph_bench.sh [SIZES]   (default "1000 10000 100000")
#
# Builds NDJSON traces of N resources shaped like real ones (each created in
# the callback of an earlier one: chains of timers/promises fanning out from
# a few servers), then times `ahtrace graph` to DOT (replay + cgraph +
# agwrite) and to SVG with the dot and sfdp layout engines. Each rendering
# gets at most RENDER_TIMEOUT seconds (default 300). The DOT export of the
# same graph is the baseline each rendering's ratio refers to.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AHTRACE=${AHTRACE_BIN:-$ROOT/build/ahtrace}
SIZES=${1:-"1000 10000 100000"}
LIMIT=${RENDER_TIMEOUT:-300}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ahtrace-graph-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

make_trace() {  # N -> NDJSON on stdout
  node -e '
    const n = Number(process.argv[1]);
    const out = [];
    out.push(JSON.stringify({format: "ahtrace-ndjson", version: 1}));
    out.push(JSON.stringify({kind: "stream", stream: 0, pid: 1, threadId: 0, node: "v20.20.2", timeOrigin: 0}));
    const types = ["Timeout", "PROMISE", "TickObject", "TCPWRAP", "FSREQCALLBACK"];
    let seed = 42;
    const rnd = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k; };
    for (let i = 0; i < n; i++) {
      const id = i + 2;
      const trigger = i < 4 ? 1 : 2 + Math.max(0, i - 1 - rnd(Math.min(i, 50)));
      out.push(JSON.stringify({kind: "init", stream: 0, asyncId: id, type: types[rnd(types.length)],
                               triggerAsyncId: trigger, site: "/srv/app/file" + (i % 40) + ".js:" + (i % 300 + 1) + ":5"}));
    }
    process.stdout.write(out.join("\n") + "\n");' "$1"
}

timed() {  # label baseline-seconds command... ; prints seconds
  local start end
  start=$(date +%s.%N)
  if timeout "$LIMIT" "$@" >/dev/null 2>&1; then
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
  else
    printf 'timeout(>%ss)' "$LIMIT"
  fi
}

printf '%-10s %-14s %12s %12s\n' resources output seconds "x DOT"
for n in $SIZES; do
  make_trace "$n" >"$TMP/t$n.ndjson"
  dot_s=$(timed "$AHTRACE" graph "$TMP/t$n.ndjson" --max-nodes 10000000 -o "$TMP/g$n.dot")
  printf '%-10s %-14s %12s %12s\n' "$n" "DOT" "$dot_s" "1.00x"
  for engine in dot sfdp; do
    s=$(timed "$AHTRACE" graph "$TMP/t$n.ndjson" --max-nodes 10000000 --engine "$engine" -o "$TMP/g$n-$engine.svg")
    ratio=$(awk -v s="$s" -v b="$dot_s" 'BEGIN { if (s ~ /^[0-9.]+$/ && b > 0) printf "%.1fx", s / b; else print "-" }')
    printf '%-10s %-14s %12s %12s\n' "$n" "svg ($engine)" "$s" "$ratio"
  done
done
