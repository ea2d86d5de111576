#!/usr/bin/env bash
# Sets everything up, records a sample program, shows what was captured,
# replays it into SQLite, checks it and draws its trigger graph.
#   Usage: scripts/demo.sh [sample]   (default http-als; try job-queue-lost)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
# A node 20 that setup installed (no node >= 20 on the machine) comes first.
[ -x build/node-bin/node ] && export PATH="$PWD/build/node-bin:$PATH"
SAMPLE=${1:-http-als}
OUT=${TMPDIR:-/tmp}/ahtrace-demo
mkdir -p "$OUT"
build/ahtrace record -o "$OUT/$SAMPLE.trace" -- node "samples/$SAMPLE/app.js"
build/ahtrace stats "$OUT/$SAMPLE.trace"
build/ahtrace replay "$OUT/$SAMPLE.trace" -o "$OUT/$SAMPLE.db"
echo "--- getStore() calls, what node returned and what the model expected:"
sqlite3 -header -column "$OUT/$SAMPLE.db" \
  "SELECT sr.seq, r.type AS running_in, s.label AS store, e.label AS expected, sr.site
   FROM store_read sr JOIN resource r USING (resource_id)
   JOIN store s ON s.stream_id = sr.stream_id AND s.store_id = sr.store_id
   JOIN store e ON e.stream_id = sr.stream_id AND e.store_id = sr.expected_store_id
   ORDER BY sr.stream_id, sr.seq"
build/ahtrace graph "$OUT/$SAMPLE.trace" --fold ticks -o "$OUT/$SAMPLE.svg"
echo "--- ahtrace check (exit 1 means it found context loss):"
status=0
build/ahtrace check "$OUT/$SAMPLE.trace" || status=$?
echo "check exited with $status; trace, database and graph are in $OUT"
