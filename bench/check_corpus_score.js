'use strict';
// Scores one program for bench/check_corpus.sh:
//   node bench/check_corpus_score.js PROGRAM REPORT.json ACF(true|false) CHECK_EXIT_CODE
// prints one tab-separated row:
//   program truth expect got ud_declared ud_found wr_declared wr_found
//   ud_reported ud_reported_ok wr_reported wr_reported_ok missed unexpected
// (truth: `@acf` when the header's @acf lines were used, else `-`)
//
// The truth is the program's header (tests/check_corpus/README.md): one
// `// loss: <file>:<line> <kind>` per lost getStore() call, kind `undefined`
// (a request's store expected, undefined returned) or `wrong` (another
// request's store returned, or a store where none was expected); on an
// AsyncContextFrame runtime the `@acf` lines where present. A loss line
// without a kind counts as `undefined`.
//
// Recall by kind: of the declared loss lines of that kind, how many check
// reported (whatever it said was returned). Precision by kind: of the lines
// check reported with that kind (a finding whose title says "returned
// undefined" is `undefined`, any other is `wrong`), how many are declared
// loss lines.
const fs = require('fs');
const path = require('path');

const [program, reportFile, acfArg, rcArg] = process.argv.slice(2);
const acf = acfArg === 'true';
const rc = Number(rcArg);
const name = path.basename(program);

const header = { expect: null, loss: [], acf: null };
for (const line of fs.readFileSync(program, 'utf8').split('\n')) {
  const m = /^\/\/ (expect|loss)(@acf)?: (.*?)\s*$/.exec(line);
  if (!m) { if (line.startsWith('//')) continue; break; }
  const set = m[2] ? (header.acf ||= { expect: null, loss: [] }) : header;
  if (m[1] === 'loss') set.loss.push(m[3]); else set.expect = m[3];
}
const truth = acf && header.acf ? header.acf : header;
const declared = new Map(); // "file:line" -> kind
for (const l of truth.loss) {
  const [site, kind] = l.split(/\s+/);
  declared.set(site, kind === 'wrong' ? 'wrong' : 'undefined');
}

let findings = [];
try { findings = JSON.parse(fs.readFileSync(reportFile, 'utf8')).findings || []; } catch { /* no report: nothing reported */ }
const reported = new Map(); // "file:line" -> Set of kinds check claimed
for (const f of findings) {
  if (!f.location) continue;
  const site = `${path.basename(f.location.file)}:${f.location.line}`;
  const kind = /returned undefined\b/.test(f.title || '') ? 'undefined' : 'wrong';
  if (!reported.has(site)) reported.set(site, new Set());
  reported.get(site).add(kind);
}

const count = (kind) => {
  const decl = [...declared].filter(([, k]) => k === kind).map(([s]) => s);
  const rep = [...reported].filter(([, ks]) => ks.has(kind)).map(([s]) => s);
  return [decl.length, decl.filter((s) => reported.has(s)).length, rep.length, rep.filter((s) => declared.has(s)).length];
};
const [udDecl, udFound, udRep, udRepOk] = count('undefined');
const [wrDecl, wrFound, wrRep, wrRepOk] = count('wrong');
const got = rc === 1 ? 'loss' : rc === 0 ? 'clean' : `err${rc}`;
const missed = [...declared.keys()].filter((s) => !reported.has(s)).sort();
const unexpected = [...reported.keys()].filter((s) => !declared.has(s)).sort();
console.log([name, acf && header.acf ? '@acf' : '-', truth.expect, got, udDecl, udFound, wrDecl, wrFound,
  udRep, udRepOk, wrRep, wrRepOk, missed.join(',') || '-', unexpected.join(',') || '-'].join('\t'));
