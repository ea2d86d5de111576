#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite: unit, golden
# and end-to-end tests that record real node programs, on node 20 (the PATH's
# node) and again on every other supported line and ALS implementation.
#
#   AHTRACE_TEST_LINES="22 22acf 24 24h 26 26h"   (default) which extra
#   runtimes the e2e suites run on: N = node N as it comes, Nacf = with
#   --experimental-async-context-frame (22), Nh = with --no-async-context-frame
#   (24+, the async_hooks ALS). Set it to "" to test the PATH's node only.
#   AHTRACE_TEST_RUNTIMES=1 (default): also install Bun and Deno for the
#   tests of the AsyncLocalStorage-only recording mode; 0 skips them.
#   AHTRACE_NPM_CORPUS: the node_modules of tests/lib_corpus's npm libraries.
#   Unset (default): installed by scripts/install-npm-corpus.sh (npm registry,
#   once; a cache outside the tree) and exported, so the lib corpus runs on
#   every node line. Set it empty to skip the lib corpus's tests (reported
#   as skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
# A node 20 that setup installed (no node >= 20 on the machine) comes first.
[ -x build/node-bin/node ] && export PATH="$PWD/build/node-bin:$PATH"

LINES=${AHTRACE_TEST_LINES-22 22acf 24 24h 26 26h}
entries=()
if [ -n "$LINES" ]; then
  majors=$(for l in $LINES; do echo "${l%%[!0-9]*}"; done | sort -u | tr '\n' ' ')
  # shellcheck disable=SC2086
  nodes=$(scripts/install-node.sh $majors)
  for l in $LINES; do
    major=${l%%[!0-9]*}
    bin=$(awk -v m="$major" '$1 == m { print $2 }' <<<"$nodes")
    case "$l" in
      *acf) entries+=("$l=$bin=--experimental-async-context-frame") ;;
      *h) entries+=("$l=$bin=--no-async-context-frame") ;;
      *) entries+=("$l=$bin") ;;
    esac
  done
fi
list=$(IFS=';'; echo "${entries[*]-}")
# Bun and Deno for the AsyncLocalStorage-only mode's tests (skipped without).
if [ "${AHTRACE_TEST_RUNTIMES-1}" = 1 ]; then
  runtimes=$(scripts/install-runtimes.sh || true)
  AHTRACE_TEST_BUN=$(awk '$1 == "bun" { print $2 }' <<<"$runtimes")
  AHTRACE_TEST_DENO=$(awk '$1 == "deno" { print $2 }' <<<"$runtimes")
  export AHTRACE_TEST_BUN AHTRACE_TEST_DENO
fi
# TypeScript and esbuild for the source-map tests (skipped without).
AHTRACE_TEST_TSC=$(scripts/install-ts.sh || true)
AHTRACE_TEST_ESBUILD=$(scripts/install-npm.sh esbuild 0.24.0 bin/esbuild || true)
export AHTRACE_TEST_TSC AHTRACE_TEST_ESBUILD
if [ -z "${AHTRACE_NPM_CORPUS+set}" ]; then
  AHTRACE_NPM_CORPUS=$(scripts/install-npm-corpus.sh) || {
    echo "test.sh: cannot install tests/lib_corpus's npm libraries (above); AHTRACE_NPM_CORPUS= scripts/test.sh skips them" >&2
    exit 1
  }
fi
export AHTRACE_NPM_CORPUS
cmake -S . -B build "-DAHTRACE_TEST_NODES=$list" >/dev/null
echo "test.sh: node $(node --version) on PATH; e2e suites also on: ${LINES:-none}; lib corpus: ${AHTRACE_NPM_CORPUS:-skipped}"
ctest --test-dir build --output-on-failure -j "$(nproc)"
