#!/usr/bin/env bash
# Precision and recall of `ahtrace check` on the two corpora of real node
# programs: tests/check_corpus (no dependencies) and tests/lib_corpus
# (programs on popular npm libraries; tests/lib_corpus/README.md). Records
# every program, checks it with the default options (no configuration), and
# compares what it reports with each program's header:
#   // expect: loss|clean      // loss: <file>:<line> <kind>  (one per lost getStore() call)
# <kind> is `undefined` (a request's store was expected, undefined came back)
# or `wrong` (another request's store came back): a rule that finds one kind
# says little about the other, so the figures are split by kind.
# Program level: a `loss` program must fail the check, a `clean` one pass.
# Call level, per kind: recall = declared loss lines of the kind that check
# reports; precision = of the lines check reports as that kind (a finding
# saying "returned undefined" is `undefined`, any other `wrong`), those that
# are declared loss lines (bench/check_corpus_score.js).
# On an AsyncContextFrame runtime a program's `// expect@acf:`/`// loss@acf:`
# lines, where present, are its truth instead.
#
#   bench/check_corpus.sh [--lines "20 22 22acf 24 24h 26 26h"] [--corpus check|lib|all]
#
# Without --lines: the PATH's node (`PATH=/path/to/node24/bin:$PATH ...`).
# --lines: once per node line, binaries from scripts/install-node.sh (20 is
# the PATH's node 20); Nh = NODE_OPTIONS=--no-async-context-frame (the
# async_hooks ALS on 24+), Nacf = --experimental-async-context-frame (22);
# then a summary table, one row per line and corpus.
# The lib corpus needs its npm libraries: $AHTRACE_NPM_CORPUS, else
# scripts/install-npm-corpus.sh installs them (npm registry, once); with
# AHTRACE_NPM_CORPUS set empty the lib corpus is left out.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
AHTRACE=${AHTRACE:-$ROOT/build/ahtrace}
LINES="" CORPUS=all
while [ $# -gt 0 ]; do
  case "$1" in
    --lines) LINES=$2; shift 2 ;;
    --corpus) CORPUS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "check_corpus.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$CORPUS" in check|lib|all) ;; *) echo "check_corpus.sh: --corpus is check, lib or all" >&2; exit 2 ;; esac
SCORE_NODE=$(command -v node)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

corpora=()
[ "$CORPUS" = lib ] || corpora+=(tests/check_corpus)
if [ "$CORPUS" != check ]; then
  if [ -z "${AHTRACE_NPM_CORPUS+set}" ]; then
    AHTRACE_NPM_CORPUS=$(scripts/install-npm-corpus.sh)
  fi
  if [ -n "$AHTRACE_NPM_CORPUS" ]; then corpora+=(tests/lib_corpus)
  else echo "check_corpus.sh: AHTRACE_NPM_CORPUS is empty: tests/lib_corpus left out" >&2; fi
fi

# ratio HIT TOTAL: "0.67 (8/12)", or "-" when there is nothing to divide.
ratio() { if [ "$2" -eq 0 ]; then echo "- (0/0)"; else awk -v h="$1" -v t="$2" 'BEGIN { printf "%.2f (%d/%d)", h / t, h, t }'; fi; }

# Runs both corpora on the node that `node` is now; rows go to $WORK/rows.tsv
# prefixed with LABEL and the corpus name.
run_line() {
  local label=$1 acf prog name rc corpus
  acf=$(node -p "typeof require('async_hooks').AsyncLocalStorage.prototype._propagate !== 'function'")
  echo "== node $(node --version)${NODE_OPTIONS:+ NODE_OPTIONS=$NODE_OPTIONS} ($label), AsyncLocalStorage on $([ "$acf" = true ] && echo AsyncContextFrame || echo async_hooks)"
  for corpus in "${corpora[@]}"; do
    echo "-- $corpus"
    printf '%-32s %-11s %-6s %-9s %-9s %s\n' program expect got undefined wrong "missed; unexpected"
    for prog in "$corpus"/*.js "$corpus"/*.mjs; do
      [ -f "$prog" ] || continue
      grep -q '^// expect: ' "$prog" || continue
      name=$(basename "$prog")
      local env=()
      [ "$corpus" = tests/lib_corpus ] && env=(env "NODE_PATH=$AHTRACE_NPM_CORPUS")
      (cd "$WORK" && "${env[@]}" "$AHTRACE" record -o "$WORK/t.trace" -- node "$ROOT/$prog" >/dev/null 2>&1) || true
      set +e
      "$AHTRACE" check --no-hook-rules --no-mismatches --format json "$WORK/t.trace" >"$WORK/t.json" 2>/dev/null
      rc=$?
      set -e
      rm -rf "$WORK/t.trace"
      local row
      row=$(env -u NODE_OPTIONS "$SCORE_NODE" bench/check_corpus_score.js "$prog" "$WORK/t.json" "$acf" "$rc")
      printf '%s\t%s\t%s\n' "$label" "$(basename "$corpus")" "$row" >>"$WORK/rows.tsv"
      IFS=$'\t' read -r _ tag expect got udd udf wrd wrf _ _ _ _ missed extra <<<"$row"
      printf '%-32s %-11s %-6s %-9s %-9s %s; %s\n' "$name" "$expect$([ "$tag" = - ] || echo "$tag")" "$got" \
        "$([ "$udd" -gt 0 ] && echo "$udf/$udd" || echo -)" "$([ "$wrd" -gt 0 ] && echo "$wrf/$wrd" || echo -)" "$missed" "$extra"
    done
    summary "$label" "$(basename "$corpus")"
  done
}

# Totals of one line and corpus from rows.tsv, as "key=value" words.
totals() {
  awk -F'\t' -v l="$1" -v c="$2" '$1 == l && $2 == c {
      n++; if ($5 == $6) ok++
      if ($5 == "loss") { lt++; if ($6 == "loss") lc++ } else { ct++; if ($6 == "clean") cc++ }
      udd += $7; udf += $8; wrd += $9; wrf += $10; udr += $11; udro += $12; wrr += $13; wrro += $14 }
    END { printf "n=%d ok=%d lt=%d lc=%d ct=%d cc=%d udd=%d udf=%d wrd=%d wrf=%d udr=%d udro=%d wrr=%d wrro=%d\n",
                 n, ok, lt, lc, ct, cc, udd, udf, wrd, wrf, udr, udro, wrr, wrro }' "$WORK/rows.tsv"
}

summary() {
  local n ok lt lc ct cc udd udf wrd wrf udr udro wrr wrro
  eval "$(totals "$1" "$2")"
  echo "programs: $ok/$n verdicts right; broken programs caught: $lc/$lt; correct programs passed: $cc/$ct"
  echo "lost reads returning undefined: recall $(ratio "$udf" "$udd"), precision $(ratio "$udro" "$udr")"
  echo "lost reads returning another request's store (wrong): recall $(ratio "$wrf" "$wrd"), precision $(ratio "$wrro" "$wrr")"
  echo
}

if [ -z "$LINES" ]; then
  run_line "$(node --version | sed 's/^v//; s/\..*//')"
  exit 0
fi
majors=$(for l in $LINES; do echo "${l%%[!0-9]*}"; done | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086
nodes=$(scripts/install-node.sh $majors)
for l in $LINES; do
  major=${l%%[!0-9]*}
  bin=$(awk -v m="$major" '$1 == m { print $2 }' <<<"$nodes")
  [ -n "$bin" ] || { echo "check_corpus.sh: no node $major" >&2; exit 1; }
  case "$l" in
    *acf) opts=--experimental-async-context-frame ;;
    *h) opts=--no-async-context-frame ;;
    *[!0-9]*) echo "check_corpus.sh: line '$l' is not N, Nh or Nacf" >&2; exit 2 ;;
    *) opts="" ;;
  esac
  (PATH="$(dirname "$bin"):$PATH" NODE_OPTIONS="$opts" run_line "$l")
done
echo "== summary: programs right, broken caught, correct passed; per kind: recall, precision"
printf '%-6s %-13s %-8s %-7s %-7s %-18s %-18s %-18s %s\n' line corpus programs caught passed \
  "undefined recall" "undefined prec." "wrong recall" "wrong prec."
for l in $LINES; do
  for corpus in "${corpora[@]}"; do
    c=$(basename "$corpus")
    eval "$(totals "$l" "$c")"
    printf '%-6s %-13s %-8s %-7s %-7s %-18s %-18s %-18s %s\n' "$l" "$c" "$ok/$n" "$lc/$lt" "$cc/$ct" \
      "$(ratio "$udf" "$udd")" "$(ratio "$udro" "$udr")" "$(ratio "$wrf" "$wrd")" "$(ratio "$wrro" "$wrr")"
  done
done
