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
exec "$(dirname "$0")/install-npm.sh" typescript 5.6.3 bin/tsc
