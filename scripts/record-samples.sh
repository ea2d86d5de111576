#!/usr/bin/env bash
# Re-records every sample's committed trace (samples/<name>/trace/) with the
# ahtrace built in build/. Traces hold absolute paths and pids of the machine
# that recorded them; the golden tests read the committed copies.
set -euo pipefail
cd "$(dirname "$0")/.."
AHTRACE=${AHTRACE:-$PWD/build/ahtrace}
for dir in samples/*/; do
  name=$(basename "$dir")
  main=app.js
  [ -f "$dir/app.mjs" ] && main=app.mjs
  [ -f "$dir/$main" ] || continue
  rm -rf "$dir/trace"
  (cd "$dir" && "$AHTRACE" record -o trace -- node "$main" >/dev/null 2>&1) || true
  rm -f "$dir/trace/.preload.js"   # the recorder is in lib/record/; no need for 14 copies
  echo "$name: $(du -sh "$dir/trace" | cut -f1)"
done
