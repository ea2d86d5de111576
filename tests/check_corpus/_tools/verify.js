'use strict';
// Checks the corpus against real node: node tests/check_corpus/_tools/verify.js [name...]
//
// For every program (tests/check_corpus/*.js|*.mjs) it runs the program
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
//   - a `fix:` twin exists and says `expect: clean`.
// Exit code 1 if anything fails. --verbose prints each program's STORE lines.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const only = args.filter((a) => !a.startsWith('--'));
const files = fs.readdirSync(dir)
  .filter((f) => /\.(m?js)$/.test(f))
  .filter((f) => only.length === 0 || only.some((o) => f === o || f.replace(/\.m?js$/, '') === o))
  .sort();

function header(src) {
  const h = { expect: null, loss: [], pattern: null, fix: null };
  for (const line of src.split('\n')) {
    const m = /^\/\/ (expect|loss|pattern|fix): (.*?)\s*$/.exec(line);
    if (!m) { if (line.startsWith('//')) continue; break; }
    if (m[1] === 'loss') h.loss.push(m[2]); else h[m[1]] = m[2];
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
    cwd: dir, encoding: 'utf8', timeout: 5000, env: { ...process.env, CORPUS_PROGRAM: abs },
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
  const errs = [];
  const notes = [];
  if (h.expect !== 'loss' && h.expect !== 'clean') errs.push(`bad expect: ${h.expect}`);
  if (!h.pattern) errs.push('no pattern');
  const declared = new Set();
  for (const l of h.loss) {
    const m = /^(.+):(\d+)$/.exec(l);
    if (!m || m[1] !== file) { errs.push(`bad loss line: ${l}`); continue; }
    declared.add(Number(m[2]));
    if (!/getStore\(\)/.test(lines[Number(m[2]) - 1] || '')) errs.push(`loss line ${m[2]} has no getStore() call`);
  }
  if (h.expect === 'clean' && (declared.size || h.fix)) errs.push('clean program with loss/fix lines');
  if (h.expect === 'loss') {
    if (!declared.size) errs.push('loss program without loss lines');
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
  const ran = new Set(first.reads.map((r) => r.line));
  lines.forEach((text, i) => {
    const n = i + 1;
    if (/getStore\(\)/.test(text) && !text.trim().startsWith('//') && !ran.has(n)) errs.push(`getStore() at line ${n} never printed`);
    if (/\/\/ expected-undefined\s*$/.test(text)) {
      for (const r of first.reads.filter((x) => x.line === n)) {
        if (r.label.split(':')[0] !== '-' || r.value !== 'undefined') errs.push(`line ${n} marked expected-undefined gave ${r.label} ${r.value}`);
      }
    }
  });
  for (const r of first.reads) {
    if (r.label.split(':')[0] === '-' && !lost(r) && !/\/\/ expected-undefined\s*$/.test(lines[r.line - 1])) {
      errs.push(`line ${r.line}: expected-undefined read without the comment`);
    }
  }
  const ms = Math.max(...runs.map((r) => r.ms));
  const summary = `${h.expect} ${h.pattern} reads=${first.reads.length} lost=${first.reads.filter(lost).length} lines=[${[...observed].sort((a, b) => a - b)}] ${Math.round(ms)}ms`;
  console.log(`${errs.length ? 'FAIL' : 'ok  '} ${file}: ${summary}`);
  for (const e of errs) console.log(`     ${e}`);
  for (const n of notes) console.log(`     note: ${n}`);
  if (verbose) for (const r of first.reads) console.log(`       ${lost(r) ? 'LOST' : '    '} ${r.line} ${r.label} ${r.value}`);
  if (errs.length) failures++;
}
console.log(`${files.length - failures}/${files.length} programs ok`);
process.exit(failures ? 1 : 0);
