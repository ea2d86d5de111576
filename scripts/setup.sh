#!/usr/bin/env bash
# Installs what ahtrace needs on Debian 12 (idempotent) and builds it.
# Usage: scripts/setup.sh [build-dir]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}

scripts/install-packages.sh
# Recording needs node >= 20 (the end-to-end tests use the PATH's node).
# Without one, take npm from Debian (its node is 18) and install node 20
# from the npm registry into the cache (scripts/install-node.sh), linked
# as BUILD_DIR/node-bin/node; test.sh and demo.sh put that first on PATH.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v node >/dev/null || [ "$(node_major)" -lt 20 ]; then
  if ! command -v npm >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing npm (to fetch node 20)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  node20=$(scripts/install-node.sh 20 | awk '{ print $2 }')
  mkdir -p "$BUILD_DIR/node-bin"
  ln -sf "$node20" "$BUILD_DIR/node-bin/node"
  echo "setup: node 20 is $node20 (linked as $BUILD_DIR/node-bin/node)"
fi

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
