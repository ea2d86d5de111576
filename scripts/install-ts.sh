#!/usr/bin/env bash
# Installs the TypeScript compiler (a pinned version, from the npm registry)
# that the source-map tests compile their TypeScript programs with, into a
# cache outside the source tree, and prints the path of its `tsc` script
# (run it with node). Only the tests use it; the build does not.
#
# Cache: $XDG_CACHE_HOME/ahtrace/npm, else ~/.cache/ahtrace/npm. Fetched
# once; prints nothing and exits 1 when it cannot be fetched (the tests that
# need it then skip, saying why).
set -euo pipefail
VERSION=5.6.3
dir=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ahtrace/npm/typescript-$VERSION
file=$dir/node_modules/typescript/bin/tsc
if [ ! -f "$file" ]; then
  if ! command -v npm >/dev/null; then
    echo "install-ts: npm not found; cannot fetch typescript@$VERSION" >&2
    exit 1
  fi
  echo "install-ts: installing typescript@$VERSION into $dir" >&2
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  if ! (cd "$dir.tmp" && npm install --no-save --no-audit --no-fund --loglevel=error "typescript@$VERSION" >/dev/null); then
    echo "install-ts: npm could not install typescript@$VERSION" >&2
    rm -rf "$dir.tmp"
    exit 1
  fi
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
echo "$file"
