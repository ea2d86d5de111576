#!/usr/bin/env bash
# Installs one pinned npm package into a cache outside the source tree and
# prints the path of one of its files:
#
#   scripts/install-npm.sh NAME VERSION PATH-IN-PACKAGE
#
# Cache: $XDG_CACHE_HOME/ahtrace/npm/NAME-VERSION, else ~/.cache/ahtrace/npm/...
# Fetched once; prints nothing and exits 1 when it cannot be fetched.
# install-parser.sh (acorn) and install-ts.sh (typescript) use it.
set -euo pipefail
name=$1 version=$2 rel=$3
tag=$(basename "$0" .sh)
dir=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ahtrace/npm/$name-$version
file=$dir/node_modules/$name/$rel
if [ ! -f "$file" ]; then
  if ! command -v npm >/dev/null; then
    echo "$tag: npm not found; cannot fetch $name@$version" >&2
    exit 1
  fi
  echo "$tag: installing $name@$version into $dir" >&2
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  if ! (cd "$dir.tmp" && npm install --no-save --no-audit --no-fund --loglevel=error "$name@$version" >/dev/null); then
    echo "$tag: npm could not install $name@$version" >&2
    rm -rf "$dir.tmp"
    exit 1
  fi
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
echo "$file"
