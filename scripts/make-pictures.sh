#!/usr/bin/env bash
# Remakes the README's pictures of `export` and of the progress meter.
# By hand only: no test or CI job runs it.
#
#   CATAPULT=DIR scripts/make-pictures.sh [export] [progress]   (default: both)
#
# docs/export.png: `ahtrace export samples/http-als/trace` opened in the
#   Catapult Trace Viewer, the viewer chrome://tracing is built from (its
#   tracing/bin/trace2html wraps the JSON and the viewer into one page),
#   shown in headless chromium. CATAPULT is a checkout of
#   catapult-project/catapult (GitHub); python3 runs trace2html.
# docs/progress.png: a 4.4M-event trace of bench/workloads/mixed_10m.js
#   (ITER=100000) is recorded, then `ahtrace replay` runs on a pty made by
#   script(1); the bytes it wrote are replayed as a terminal would and drawn
#   mid-run and at the end (scripts/pictures/term-html.mjs).
#
# Needs: build/ahtrace (or AHTRACE=...), Debian's chromium, node on the PATH
# for recording, and a node >= 22 for the DevTools protocol client
# (NODE=..., else scripts/install-node.sh 24 provides one).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
AHTRACE=$(realpath "${AHTRACE:-build/ahtrace}")
CHROMIUM=${CHROMIUM:-chromium}
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(export progress)
NODE=${NODE:-$(scripts/install-node.sh 24 | awk '{print $2}')}

tmp=$(mktemp -d -t ahtrace-pictures.XXXXXX)
chrome_pid=
cleanup() {
  [ -z "$chrome_pid" ] || kill "$chrome_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# One headless chromium for both pictures, its DevTools port chosen by itself.
sandbox=(); [ "$(id -u)" != 0 ] || sandbox=(--no-sandbox)
"$CHROMIUM" --headless=new "${sandbox[@]}" --disable-gpu --hide-scrollbars \
  --user-data-dir="$tmp/profile" --remote-debugging-port=0 about:blank >"$tmp/chromium.log" 2>&1 &
chrome_pid=$!
for _ in $(seq 100); do [ -s "$tmp/profile/DevToolsActivePort" ] && break; sleep 0.2; done
port=$(head -1 "$tmp/profile/DevToolsActivePort")
shot() { "$NODE" scripts/pictures/cdp-shot.mjs --port "$port" "$@"; }

for w in "${what[@]}"; do
  case "$w" in
  export)
    : "${CATAPULT:?set CATAPULT to a checkout of catapult-project/catapult}"
    mkdir -p "$tmp/export"
    "$AHTRACE" export samples/http-als/trace -o "$tmp/export/http-als.json"
    (cd "$tmp/export" && python3 "$CATAPULT/tracing/bin/trace2html" --quiet \
       --title "ahtrace export samples/http-als/trace" --output http-als.html http-als.json)
    shot --url "file://$tmp/export/http-als.html" --out docs/export.png --size 1400x780 \
         --drive scripts/pictures/trace-viewer.js
    ;;
  progress)
    mkdir -p "$tmp/progress"
    (cd "$tmp/progress" &&
       ITER=100000 "$AHTRACE" record -o t.trace -- node "$repo/bench/workloads/mixed_10m.js" >/dev/null &&
       PATH="$(dirname "$AHTRACE"):$PATH" script -q -e -c 'ahtrace replay t.trace -o t.db' replay.typescript >/dev/null)
    "$NODE" scripts/pictures/term-html.mjs --typescript "$tmp/progress/replay.typescript" \
      --command 'ahtrace replay t.trace -o t.db' --at 40 >"$tmp/progress/term.html"
    shot --url "file://$tmp/progress/term.html" --out docs/progress.png --size 900x400 --clip '#shot'
    ;;
  *) echo "make-pictures: unknown picture '$w' (export, progress)" >&2; exit 2;;
  esac
  echo "make-pictures: docs/$w.png"
done
