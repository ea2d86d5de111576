#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite (unit, golden
# and end-to-end tests that record real node programs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
ctest --test-dir build --output-on-failure -j "$(nproc)"
