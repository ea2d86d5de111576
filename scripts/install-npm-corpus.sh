#!/usr/bin/env bash
# Installs the npm libraries of tests/lib_corpus (its package-lock.json, exact
# versions) into a cache outside the source tree and prints the path of the
# node_modules folder on stdout. The lib_corpus programs are run with
# NODE_PATH set to it; scripts/test.sh exports it as AHTRACE_NPM_CORPUS.
#
#   scripts/install-npm-corpus.sh
#
# Cache: $AHTRACE_NPM_CACHE, else $XDG_CACHE_HOME/ahtrace/npm-corpus, else
# ~/.cache/ahtrace/npm-corpus; one folder per lockfile (named by the sha256 of
# package.json + package-lock.json), so a changed lockfile gets a fresh install
# and an unchanged one is not installed again. Needs the npm registry the
# first time; exit code 1 with a message on stderr when it cannot install.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=tests/lib_corpus
CACHE=${AHTRACE_NPM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ahtrace/npm-corpus}
command -v npm >/dev/null || { echo "install-npm-corpus: npm is not on PATH" >&2; exit 1; }
hash=$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha256sum | cut -c1-16)
dir="$CACHE/$hash"
# .complete is written last: a half-done install (no network, killed) is redone.
if [ ! -f "$dir/.complete" ]; then
  echo "install-npm-corpus: installing $SRC/package-lock.json into $dir" >&2
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/.install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  cp "$SRC/package.json" "$SRC/package-lock.json" "$tmp/"
  if ! (cd "$tmp" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error \
          --fetch-retries=1 --fetch-timeout=30000 >"$tmp/npm.log" 2>&1); then
    echo "install-npm-corpus: 'npm ci' failed (is the npm registry reachable?); from its log:" >&2
    grep -E '^npm error (code|errno|request to|network)' "$tmp/npm.log" | head -n 4 >&2 || tail -n 5 "$tmp/npm.log" >&2
    exit 1
  fi
  touch "$tmp/.complete"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  trap - EXIT
fi
echo "$dir/node_modules"
