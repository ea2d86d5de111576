#!/usr/bin/env bash
# Re-records every sample's committed trace (samples/<name>/trace/) with the
# ahtrace built in build/ and the PATH's node (node 20 for the committed
# copies; the golden tests read them).
#
# A trace holds the paths of the program it recorded (cwd, argv, every call
# site). So that no committed trace holds a path of the machine it was made
# on, each sample is copied to the same neutral place on every machine,
# /tmp/ahtrace-samples/<name>/, and recorded from there.
#   scripts/record-samples.sh [NAME...]     (default: every sample)
set -euo pipefail
cd "$(dirname "$0")/.."
AHTRACE=${AHTRACE:-$PWD/build/ahtrace}
NEUTRAL=/tmp/ahtrace-samples
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for dir in samples/*/; do names+=("$(basename "$dir")"); done
fi
for name in "${names[@]}"; do
  dir=samples/$name
  main=app.js
  [ -f "$dir/app.mjs" ] && main=app.mjs
  [ -f "$dir/$main" ] || continue
  rm -rf "${NEUTRAL:?}/$name"
  mkdir -p "$NEUTRAL/$name"
  # The program's own files only: not its README or its previous trace.
  find "$dir" -maxdepth 1 -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.json' \) \
    -exec cp {} "$NEUTRAL/$name/" \;
  (cd "$NEUTRAL/$name" && "$AHTRACE" record -o trace -- node "$main" >/dev/null 2>&1) || true
  # The recorder and its parser are in the binary; the lock is only for recording.
  rm -f "$NEUTRAL/$name/trace/.preload.js" "$NEUTRAL/$name/trace/.parser.js" "$NEUTRAL/$name/trace/.lock"
  rm -rf "$dir/trace"
  cp -r "$NEUTRAL/$name/trace" "$dir/trace"
  if grep -rlF "$PWD" "$dir/trace" >/dev/null; then
    echo "$name: the trace holds this checkout's path ($PWD)" >&2
    exit 1
  fi
  echo "$name: $(du -sh "$dir/trace" | cut -f1)"
done
