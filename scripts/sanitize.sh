#!/usr/bin/env bash
# Builds the library, the CLI and the tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (AHTRACE_SANITIZE=ON, g++) into build-asan/
# and runs the whole ctest suite on it: unit, golden and the end-to-end
# tests, which record real node programs through the instrumented `ahtrace`
# binary (node itself is not instrumented), on the PATH's node only: the
# other node lines exercise node, not more of ahtrace (scripts/test.sh
# runs them). Any ASan or UBSan report, or a leak not in .ci/lsan.supp,
# fails the test that hit it.
#   scripts/sanitize.sh [ctest args...]   e.g. -R Model
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build-asan
scripts/install-packages.sh
# The e2e tests need node >= 20: the one setup.sh installed if the machine
# had none (CI runs scripts/test.sh first).
[ -x build/node-bin/node ] && export PATH="$PWD/build/node-bin:$PATH"

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAHTRACE_SANITIZE=ON >/dev/null
cmake --build "$BUILD" -j "$(nproc)"

# halt_on_error: the first report ends the process with a non-zero exit, so
# a test that only checks an exit code still fails. Leak reports come from
# every ahtrace process the tests start, so a leak in the CLI fails too.
# fast_unwind_on_malloc=0: Graphviz and fontconfig are built without frame
# pointers, so the fast unwinder stops inside them and the suppressions
# (which name their callers, e.g. gvconfig) could not match.
export ASAN_OPTIONS=fast_unwind_on_malloc=0:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/.ci/lsan.supp:print_suppressions=0
echo "sanitize.sh: node $(node --version) on PATH"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" "$@"
