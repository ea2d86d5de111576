#!/usr/bin/env bash
# Installs ahtrace's build dependencies from Debian 12's packages, plus any
# packages given as arguments (scripts/fuzz.sh adds clang's), skipping what
# is installed already: nothing runs when all are there. chromium and
# libpng-dev serve the HTML report's browser test (tests/report_test.cc
# screenshots the report headless and decodes the PNG).
#   scripts/install-packages.sh [PACKAGE...]
set -euo pipefail
PACKAGES=(build-essential cmake pkg-config libcli11-dev nlohmann-json3-dev
          libsqlite3-dev sqlite3 libgraphviz-dev graphviz libgtest-dev
          libpng-dev chromium "$@")
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
