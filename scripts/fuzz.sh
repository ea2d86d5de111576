#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang into build-fuzz/ and runs
# each for SECONDS (default 60): the binary stream reader, the NDJSON
# reader, node's trace-event reader, replay + check, and stats + convert
# (the last two on any format). Seeds come from samples/ (fuzz/make-seeds.sh); what a run finds is
# kept in build-fuzz/corpus/<target>/ and grows run after run.
#   scripts/fuzz.sh [SECONDS]
#   AHTRACE_FUZZ_TARGETS="replay" scripts/fuzz.sh 600   (some targets only)
#   AHTRACE_FUZZ_ARGS="-fork=2 -ignore_crashes=1"       (exploration only:
#       keeps going past crashes; never in CI)
# Exit 1 when any target crashed, leaked, hit UB, timed out or ran out of
# memory; the reproducer's path is printed (build-fuzz/artifacts/).
# Reproduce: build-fuzz/fuzz/fuzz_<target> <file>
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
BUILD=build-fuzz
TARGETS=${AHTRACE_FUZZ_TARGETS:-binary_reader ndjson_reader trace_events_reader replay stats_convert}

scripts/install-packages.sh clang libclang-rt-14-dev
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAHTRACE_FUZZ=ON -DAHTRACE_BUILD_TESTS=OFF >/dev/null
# The seeds' NDJSON is written by `ahtrace convert`: the default build's
# binary when there is one (CI built it in test.sh), else this build's.
BIN=build/ahtrace
build_targets=()
for t in $TARGETS; do build_targets+=("fuzz_$t"); done
[ -x "$BIN" ] || { BIN=$BUILD/ahtrace; build_targets+=(ahtrace); }
cmake --build "$BUILD" -j "$(nproc)" --target "${build_targets[@]}"
fuzz/make-seeds.sh "$BIN" "$BUILD/seeds" >/dev/null

# Any leak fails (.ci/lsan.supp names only Graphviz's and fontconfig's own,
# which the targets do not reach: no graph rendering). UB aborts (the build
# also sets -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/.ci/lsan.supp:print_suppressions=0

# The targets write each input to a file under $TMPDIR (fuzz/fuzz_input.h);
# a process that crashes cannot remove its directory, so it stays here.
export TMPDIR=$PWD/$BUILD/tmp
rm -rf "$TMPDIR"
mkdir -p "$BUILD/artifacts" "$BUILD/logs" "$TMPDIR"
failed=0
summary=()
for t in $TARGETS; do
  mkdir -p "$BUILD/corpus/$t"
  log="$BUILD/logs/$t.log"
  echo "fuzz.sh: $t for ${SECS}s (log: $log)"
  rc=0
  # Inputs up to 128 KiB: the largest sample's NDJSON fits; -timeout=10
  # holds any single input to well above its linear cost. Every format has
  # JSON in it (a binary stream's header), so every target gets the JSON
  # dictionary.
  # shellcheck disable=SC2086
  "$BUILD/fuzz/fuzz_$t" -max_total_time="$SECS" -max_len=131072 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" -dict=fuzz/json.dict ${AHTRACE_FUZZ_ARGS-} \
    "$BUILD/corpus/$t" "$BUILD/seeds/$t" >"$log" 2>&1 || rc=$?
  execs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$log" | tail -1 | awk '{print $2}')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | awk '{print $2}')
  corp=$(grep -o 'corp: [0-9]*' <<<"$last" | awk '{print $2}')
  slowest=$(grep -oE 'stat::slowest_unit_time_sec: +[0-9]+' "$log" | tail -1 | awk '{print $2}')
  rss=$(grep -oE 'stat::peak_rss_mb: +[0-9]+' "$log" | tail -1 | awk '{print $2}')
  line="$t: ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, slowest input ${slowest:-?} s, peak RSS ${rss:-?} MB"
  if [ "$rc" -ne 0 ]; then
    failed=1
    what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error: .*' "$log" || echo "exit $rc")
    repro=$(grep -o 'Test unit written to .*' "$log" | tail -1 | sed 's/Test unit written to //')
    line="$line; FAILED: $what; reproducer: ${repro:-none} (log: $log)"
    grep -A12 -m1 -E '^==[0-9]+==ERROR|runtime error:' "$log" | sed 's/^/    /' || true
  fi
  summary+=("$line")
done
echo "fuzz.sh: ${SECS}s per target"
printf '  %s\n' "${summary[@]}"
exit "$failed"
