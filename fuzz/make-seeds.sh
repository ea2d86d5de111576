#!/usr/bin/env bash
# Builds the fuzz targets' seed corpora from samples/ (nothing generated is
# committed): OUT/<target>/ for binary_reader, ndjson_reader,
# trace_events_reader, replay and stats_convert.
#   fuzz/make-seeds.sh AHTRACE_BIN OUT
# - binary streams: every samples/*/trace/*.ahs;
# - NDJSON: each sample trace converted with `ahtrace convert`, and the
#   hand-made ones in fuzz/seeds/ndjson/ (records samples lack: functions);
# - node trace-event logs: the hand-made ones in fuzz/seeds/trace_events/,
#   and one node writes for samples/timers when node is on PATH;
# - replay and stats_convert read any format: all of the above.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"/{binary_reader,ndjson_reader,trace_events_reader,replay,stats_convert}
for trace in samples/*/trace; do
  name=$(basename "$(dirname "$trace")")
  for s in "$trace"/*.ahs; do cp "$s" "$OUT/binary_reader/$name-$(basename "$s")"; done
  "$BIN" convert "$trace" -o "$OUT/ndjson_reader/$name.ndjson"
done
cp fuzz/seeds/ndjson/* "$OUT/ndjson_reader/"
cp fuzz/seeds/trace_events/* "$OUT/trace_events_reader/"
if command -v node >/dev/null; then
  tmp=$(mktemp -d)
  # Without the recorder: node's own async_hooks category only.
  if (cd "$tmp" && node --trace-event-categories node.async_hooks \
        "$OLDPWD/samples/timers/app.js" >/dev/null 2>&1) && [ -s "$tmp/node_trace.1.log" ]; then
    cp "$tmp/node_trace.1.log" "$OUT/trace_events_reader/timers-node.log"
  fi
  # A later segment of a stream cut by --max-size (a header with segment,
  # openCallbacks and segmentTs, definitions repeated, stores renumbered),
  # its first 64 KiB: read alone it is a stream that starts late.
  cat >"$tmp/loop.js" <<'JS'
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
let n = 0;
function loop() {
  for (let i = 0; i < 100; i++) als.run({ id: ++n }, () => setImmediate(() => als.getStore()));
  if (n < 60000) setTimeout(loop, 0);
}
loop();
JS
  if "$BIN" record --max-size 8M -o "$tmp/seg.trace" -- node "$tmp/loop.js" >/dev/null 2>&1; then
    for s in "$tmp"/seg.trace/*.[0-9]*.ahs; do
      head -c 65536 "$s" >"$OUT/binary_reader/segment-$(basename "$s")"
      break
    done
  fi
  rm -rf "$tmp"
fi
for t in replay stats_convert; do
  cp "$OUT"/binary_reader/* "$OUT"/ndjson_reader/* "$OUT"/trace_events_reader/* "$OUT/$t/"
done
for d in "$OUT"/*/; do echo "seeds: $(ls "$d" | wc -l) in $d"; done
