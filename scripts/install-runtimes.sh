#!/usr/bin/env bash
# Installs Bun and Deno from the npm registry (@oven/bun-linux-x64, deno)
# into the same cache as scripts/install-node.sh, for the tests of
# ahtrace's AsyncLocalStorage-only recording mode, and prints
# "bun PATH" and "deno PATH".
set -euo pipefail
CACHE=${AHTRACE_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ahtrace/node}
dir="$CACHE/runtimes"
bun="$dir/node_modules/@oven/bun-linux-x64/bin/bun"
deno="$dir/node_modules/deno/deno"
if [ ! -x "$bun" ] || [ ! -x "$deno" ]; then
  echo "install-runtimes: installing bun and deno into $dir" >&2
  rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
  (cd "$dir.tmp" && npm install --no-save --no-audit --no-fund --loglevel=error @oven/bun-linux-x64 deno >/dev/null)
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
fi
"$bun" --version >/dev/null && echo "bun $bun"
"$deno" --version >/dev/null && echo "deno $deno"
