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
exec "$(dirname "$0")/install-npm.sh" acorn 8.15.0 dist/acorn.js
