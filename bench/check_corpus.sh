#!/usr/bin/env bash
# Precision and recall of `ahtrace check` on tests/check_corpus: records every
# program, checks it with the default options (no configuration), and
# compares what it reports with each program's header:
#   // expect: loss|clean      // loss: <file>:<line>  (one per lost getStore() call)
# Program level: a `loss` program must fail the check, a `clean` one pass.
# Call level: every reported context finding must be a declared loss line
# (precision), every declared loss line must be reported (recall).
# On an AsyncContextFrame runtime (node 24+, or NODE_OPTIONS=
# --experimental-async-context-frame on 22) a program's `// expect@acf:` and
# `// loss@acf:` lines, where present, are its truth instead. The node is the
# PATH's: `PATH=/path/to/node24/bin:$PATH bench/check_corpus.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
AHTRACE=${AHTRACE:-$PWD/build/ahtrace}
ACF=$(node -p "typeof require('async_hooks').AsyncLocalStorage.prototype._propagate !== 'function'")
echo "node $(node --version), AsyncLocalStorage on $([ "$ACF" = true ] && echo AsyncContextFrame || echo async_hooks)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf '%-34s %-6s %-6s %s\n' program expect got "lines: reported/declared (missed; unexpected)"
tp=0 fp=0 fn=0 prog_ok=0 prog_total=0 loss_caught=0 loss_total=0 clean_ok=0 clean_total=0
for prog in tests/check_corpus/*.js tests/check_corpus/*.mjs; do
  name=$(basename "$prog")
  expect=$(sed -n 's|^// expect: *\([a-z]*\).*|\1|p' "$prog" | head -1)
  [ -n "$expect" ] || continue
  tag=""
  if [ "$ACF" = true ] && grep -q '^// expect@acf:' "$prog"; then
    tag="@acf"
    expect=$(sed -n 's|^// expect@acf: *\([a-z]*\).*|\1|p' "$prog" | head -1)
  fi
  (cd "$WORK" && "$AHTRACE" record -o "$WORK/$name.trace" -- node "$OLDPWD/$prog" >/dev/null 2>&1) || true
  set +e
  "$AHTRACE" check --no-hook-rules --no-mismatches --format json "$WORK/$name.trace" >"$WORK/$name.json" 2>/dev/null
  rc=$?
  set -e
  got=$([ $rc -eq 1 ] && echo loss || ([ $rc -eq 0 ] && echo clean || echo "err$rc"))
  declared=$(sed -n "s|^// loss$tag: *\([^ ]*\).*|\1|p" "$prog" | sort -u)
  reported=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const s = new Set();
    for (const f of r.findings) if (f.location) s.add(require("path").basename(f.location.file) + ":" + f.location.line);
    console.log([...s].sort().join("\n"));' "$WORK/$name.json" 2>/dev/null || true)
  missed=$(comm -23 <(echo "$declared" | sed '/^$/d') <(echo "$reported" | sed '/^$/d') | tr '\n' ' ')
  extra=$(comm -13 <(echo "$declared" | sed '/^$/d') <(echo "$reported" | sed '/^$/d') | tr '\n' ' ')
  hit=$(comm -12 <(echo "$declared" | sed '/^$/d') <(echo "$reported" | sed '/^$/d') | sed '/^$/d' | wc -l)
  nd=$(echo "$declared" | sed '/^$/d' | wc -l)
  nr=$(echo "$reported" | sed '/^$/d' | wc -l)
  tp=$((tp + hit)); fp=$((fp + nr - hit)); fn=$((fn + nd - hit))
  prog_total=$((prog_total + 1))
  [ "$got" = "$expect" ] && prog_ok=$((prog_ok + 1))
  if [ "$expect" = loss ]; then loss_total=$((loss_total + 1)); [ "$got" = loss ] && loss_caught=$((loss_caught + 1)); fi
  if [ "$expect" = clean ]; then clean_total=$((clean_total + 1)); [ "$got" = clean ] && clean_ok=$((clean_ok + 1)); fi
  printf '%-34s %-6s %-6s %s/%s (%s; %s)\n' "$name" "$expect" "$got" "$hit" "$nd" "${missed:-none}" "${extra:-none}"
done
echo
echo "programs: $prog_ok/$prog_total verdicts right; broken programs caught: $loss_caught/$loss_total; correct programs passed: $clean_ok/$clean_total"
awk -v tp=$tp -v fp=$fp -v fn=$fn 'BEGIN {
  p = (tp + fp) ? tp / (tp + fp) : 1; r = (tp + fn) ? tp / (tp + fn) : 1;
  printf "lost getStore() calls: %d reported correctly, %d reported wrongly, %d missed: precision %.2f, recall %.2f\n", tp, fp, fn, p, r }'
