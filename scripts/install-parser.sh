#!/usr/bin/env bash
# Installs the JavaScript parser the recorder embeds (acorn, a pinned
# version, from the npm registry) into a cache outside the source tree and
# prints the path of its single-file build, acorn/dist/acorn.js. The build
# embeds that file; `record` writes it next to the preload, which uses it to
# instrument the program's own modules (README, "Wrong store").
#
# Cache: $XDG_CACHE_HOME/ahtrace/npm, else ~/.cache/ahtrace/npm. Fetched
# once; prints nothing and exits 1 when it cannot be fetched (the build then
# goes on without it, and the recorder says wrong-store detection is off).
set -euo pipefail
VERSION=8.15.0
dir=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ahtrace/npm/acorn-$VERSION
file=$dir/node_modules/acorn/dist/acorn.js
if [ ! -f "$file" ]; then
  if ! command -v npm >/dev/null; then
    echo "install-parser: npm not found; cannot fetch acorn@$VERSION" >&2
    exit 1
  fi
  echo "install-parser: installing acorn@$VERSION into $dir" >&2
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  if ! (cd "$dir.tmp" && npm install --no-save --no-audit --no-fund --loglevel=error "acorn@$VERSION" >/dev/null); then
    echo "install-parser: npm could not install acorn@$VERSION" >&2
    rm -rf "$dir.tmp"
    exit 1
  fi
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
echo "$file"
