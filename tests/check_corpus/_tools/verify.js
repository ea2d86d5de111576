'use strict';
// Checks a corpus against real node:
//   node tests/check_corpus/_tools/verify.js [--dir DIR] [name...]
// DIR is tests/check_corpus (default) or tests/lib_corpus; the lib corpus's
// programs need its npm libraries: set AHTRACE_NPM_CORPUS to the node_modules
// that scripts/install-npm-corpus.sh prints (it becomes the programs' NODE_PATH).
//
// For every program (DIR/*.js|*.mjs) it runs the program
// 3 times plainly and once with an empty async hook preloaded (what a recorder
// does), each time with sites.js preloaded so every printed STORE line is tied
// to the source line of its getStore() call. A STORE label is
// "<expected>:<what>": <expected> is the request id ("req" field of the store)
// that the code at that point is serving, or "-" when no store is expected.
// A read is lost when it does not match. It then checks:
//   - the lines with a lost read are exactly the header's `// loss:` lines;
//   - `expect: clean` programs have no lost read and no loss line;
//   - a read labelled "-" (expected undefined) that returned undefined is on a
//     line carrying `// expected-undefined`, and such lines only give that;
//   - every getStore() line of the file ran; every run and the hooked run
//     print the same STORE lines (a different order only gives a note);
//     exit code 0; wall time < 1 s;
//   - a `fix:` twin exists and says `expect: clean`;
//   - where a loss line names its kind (`// loss: f.js:12 wrong`; required in
//     the lib corpus), the lost reads on that line are all of that kind:
//     `undefined` (a request's store was expected, undefined came back) or
//     `wrong` (another request's store came back, or a store where none was
//     expected).
// The truth depends on the ALS implementation of the node that runs the
// programs (process.execPath with this process's NODE_OPTIONS): on
// AsyncContextFrame runtimes (node 24+ by default, node 22 with
// --experimental-async-context-frame) a header's `// expect@acf:` and
// `// loss@acf:` lines, where present, replace `// expect:`/`// loss:`.
// Exit code 1 if anything fails. --verbose prints each program's STORE lines.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const dirAt = args.indexOf('--dir');
const dir = dirAt >= 0 ? path.resolve(args.splice(dirAt, 2)[1]) : path.resolve(__dirname, '..');
// Only tests/check_corpus, written before kinds existed, may leave them out.
const kindsRequired = dir !== path.resolve(__dirname, '..');
const verbose = args.includes('--verbose');
const only = args.filter((a) => !a.startsWith('--'));
const programEnv = { ...process.env };
if (process.env.AHTRACE_NPM_CORPUS) programEnv.NODE_PATH = process.env.AHTRACE_NPM_CORPUS;
const files = fs.readdirSync(dir)
  .filter((f) => /\.(m?js)$/.test(f))
  .filter((f) => only.length === 0 || only.some((o) => f === o || f.replace(/\.m?js$/, '') === o))
  .sort();

// Does the node that runs the programs use AsyncContextFrame for ALS?
const probe = spawnSync(process.execPath, ['-p',
  "process.version + ' ' + (typeof require('async_hooks').AsyncLocalStorage.prototype._propagate !== 'function')"],
{ encoding: 'utf8', env: programEnv });
const [runtime, acfFlag] = probe.stdout.trim().split(' ');
const acf = acfFlag === 'true';
if (probe.status !== 0 || !/^(true|false)$/.test(acfFlag || '')) { console.log(`cannot probe node: ${probe.stderr}`); process.exit(1); }
console.log(`node ${runtime} (${process.execPath}${process.env.NODE_OPTIONS ? ` NODE_OPTIONS=${process.env.NODE_OPTIONS}` : ''}): ` +
  `ALS on ${acf ? 'AsyncContextFrame, checking expect@acf/loss@acf where present' : 'async_hooks, checking expect/loss'}`);

// h.expect/h.loss: node 20's truth (async_hooks); h.acf: {expect, loss} from
// the `@acf` lines, or null when the program has none (same truth on ACF).
function header(src) {
  const h = { expect: null, loss: [], pattern: null, fix: null, acf: null, bad: [] };
  for (const line of src.split('\n')) {
    const m = /^\/\/ (expect|loss|pattern|fix)(@[\w-]+)?: (.*?)\s*$/.exec(line);
    if (!m) { if (line.startsWith('//')) continue; break; }
    if (m[2] && (m[2] !== '@acf' || (m[1] !== 'expect' && m[1] !== 'loss'))) { h.bad.push(`unknown header tag: ${line}`); continue; }
    const set = m[2] ? (h.acf ||= { expect: null, loss: [] }) : h;
    if (m[1] === 'loss') set.loss.push(m[3]); else set[m[1]] = m[3];
  }
  return h;
}

function run(file, withHook) {
  const abs = path.join(dir, file);
  const argv = ['--require', path.join(__dirname, 'sites.js')];
  if (withHook) argv.push('--require', path.join(__dirname, 'hook.js'));
  argv.push(abs);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, {
    cwd: dir, encoding: 'utf8', timeout: 5000, env: { ...programEnv, CORPUS_PROGRAM: abs },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const reads = [];
  const problems = [];
  let site = null;
  for (const line of r.stdout.split('\n')) {
    let m = /^@GETSTORE (\d+)$/.exec(line);
    if (m) { site = Number(m[1]); continue; }
    m = /^STORE (\S+) (.*)$/.exec(line);
    if (!m) continue;
    if (site === null) { problems.push(`STORE ${m[1]} printed without a getStore() in the file just before`); continue; }
    reads.push({ line: site, label: m[1], value: m[2] });
    site = null;
  }
  return { status: r.status, signal: r.signal, stderr: r.stderr, ms, reads, problems };
}

// The kind of a lost read (see the header of this file).
function kind(read) {
  return read.value === 'undefined' ? 'undefined' : 'wrong';
}

function lost(read) {
  const expected = read.label.split(':')[0];
  if (expected === '-') return read.value !== 'undefined';
  if (read.value === 'undefined') return true;
  try { return JSON.parse(read.value).req !== expected; } catch { return true; }
}

let failures = 0;
for (const file of files) {
  const src = fs.readFileSync(path.join(dir, file), 'utf8');
  const lines = src.split('\n');
  const h = header(src);
  const errs = [...h.bad];
  const notes = [];
  // Both header sets are checked for form; the one for this runtime is the truth.
  const sets = [['', h], ...(h.acf ? [['@acf', h.acf]] : [])];
  let declared = new Set();
  let declaredKinds = new Map(); // line -> kind, where the header names one
  for (const [tag, set] of sets) {
    if (set.expect !== 'loss' && set.expect !== 'clean') errs.push(`bad expect${tag}: ${set.expect}`);
    const lossLines = new Set();
    const kinds = new Map();
    for (const l of set.loss) {
      const m = /^(.+):(\d+)(?: (undefined|wrong))?$/.exec(l);
      if (!m || m[1] !== file) { errs.push(`bad loss${tag} line: ${l}`); continue; }
      if (m[3]) kinds.set(Number(m[2]), m[3]);
      else if (kindsRequired) errs.push(`loss${tag} line without its kind (undefined|wrong): ${l}`);
      lossLines.add(Number(m[2]));
      if (!/getStore\(\)/.test(lines[Number(m[2]) - 1] || '')) errs.push(`loss${tag} line ${m[2]} has no getStore() call`);
    }
    if (set.expect === 'clean' && lossLines.size) errs.push(`expect${tag}: clean with loss${tag} lines`);
    if (set.expect === 'loss' && !lossLines.size) errs.push(`expect${tag}: loss without loss${tag} lines`);
    if (set === (acf && h.acf ? h.acf : h)) { declared = lossLines; declaredKinds = kinds; }
  }
  const expect = acf && h.acf ? h.acf.expect : h.expect;
  if (!h.pattern) errs.push('no pattern');
  // The fixed twin belongs to node 20's truth.
  if (h.expect === 'clean' && h.fix) errs.push('clean program with a fix line');
  if (h.expect === 'loss') {
    if (!h.fix) errs.push('loss program without fix');
    else if (!fs.existsSync(path.join(dir, h.fix))) errs.push(`fix ${h.fix} missing`);
    else if (header(fs.readFileSync(path.join(dir, h.fix), 'utf8')).expect !== 'clean') errs.push(`fix ${h.fix} is not expect: clean`);
  }
  const runs = [run(file, false), run(file, false), run(file, false), run(file, true)];
  const first = runs[0];
  const fmt = (r) => r.reads.map((x) => `${x.line} ${x.label} ${x.value}`).join('\n');
  runs.forEach((r, i) => {
    const name = i === 3 ? 'hooked run' : `run ${i + 1}`;
    if (r.status !== 0) errs.push(`${name}: exit ${r.status} ${r.signal || ''} ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (r.ms > 1000) errs.push(`${name}: took ${Math.round(r.ms)} ms`);
    errs.push(...r.problems.map((p) => `${name}: ${p}`));
    if (i > 0 && fmt(r) !== fmt(first)) {
      const sorted = (x) => fmt(x).split('\n').sort().join('\n');
      if (sorted(r) !== sorted(first)) errs.push(`${name}: STORE output differs from run 1:\n${fmt(r)}`);
      else notes.push(`${name}: same STORE lines as run 1 but in another order (timing)`);
    }
  });
  const observed = new Set(first.reads.filter(lost).map((r) => r.line));
  for (const l of observed) if (!declared.has(l)) errs.push(`lost read at line ${l} not declared`);
  for (const l of declared) if (!observed.has(l)) errs.push(`declared loss line ${l} not lost`);
  for (const [l, k] of declaredKinds) {
    const got = new Set(first.reads.filter((r) => r.line === l && lost(r)).map(kind));
    if (got.size && (got.size > 1 || !got.has(k))) errs.push(`loss line ${l} is declared ${k} but its lost reads are ${[...got].sort().join(' and ')}`);
  }
  const ran = new Set(first.reads.map((r) => r.line));
  lines.forEach((text, i) => {
    const n = i + 1;
    if (/getStore\(\)/.test(text) && !text.trim().startsWith('//') && !ran.has(n)) errs.push(`getStore() at line ${n} never printed`);
    if (/\/\/ expected-undefined\s*$/.test(text)) {
      // a declared loss line may give a store there (disable.js on ACF)
      for (const r of first.reads.filter((x) => x.line === n)) {
        if (r.label.split(':')[0] !== '-' || (r.value !== 'undefined' && !declared.has(n))) errs.push(`line ${n} marked expected-undefined gave ${r.label} ${r.value}`);
      }
    }
  });
  for (const r of first.reads) {
    // lines that also read for a request (label `${user ? id : '-'}`) carry no marker
    const mixed = first.reads.some((x) => x.line === r.line && x.label.split(':')[0] !== '-');
    if (r.label.split(':')[0] === '-' && !lost(r) && !mixed && !/\/\/ expected-undefined\s*$/.test(lines[r.line - 1])) {
      errs.push(`line ${r.line}: expected-undefined read without the comment`);
    }
  }
  const ms = Math.max(...runs.map((r) => r.ms));
  const lineKinds = [...observed].sort((a, b) => a - b)
    .map((l) => `${l}${[...new Set(first.reads.filter((r) => r.line === l && lost(r)).map(kind))].map((k) => ` ${k}`).join('')}`);
  const summary = `${expect}${acf && h.acf ? '@acf' : ''} ${h.pattern} reads=${first.reads.length} lost=${first.reads.filter(lost).length} lines=[${lineKinds.join(', ')}] ${Math.round(ms)}ms`;
  console.log(`${errs.length ? 'FAIL' : 'ok  '} ${file}: ${summary}`);
  for (const e of errs) console.log(`     ${e}`);
  for (const n of notes) console.log(`     note: ${n}`);
  if (verbose) for (const r of first.reads) console.log(`       ${lost(r) ? `LOST ${kind(r).padEnd(9)}` : ' '.repeat(14)} ${r.line} ${r.label} ${r.value}`);
  if (errs.length) failures++;
}
console.log(`${files.length - failures}/${files.length} programs ok`);
process.exit(failures ? 1 : 0);
