'use strict';
// The benchmark suite behind bench/run.sh (its header documents the options
// and what is measured). Node rather than bash because every figure is a
// median with min and max over interleaved runs, and the result is one table
// plus the same figures as JSON: both are a few lines here.
//
// Timing: wall seconds from this process around each command (GNU time's %e
// has 10 ms steps, too coarse for a 0.1 s workload); peak RSS from
// /usr/bin/time's %M (the largest process of the command's tree that it
// waited for). Nothing written to the JSON holds a path of this machine.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { drawCurve } = require('./plot_curve');

const ROOT = path.resolve(__dirname, '..');
const CLINIC_VERSION = '13.0.0';

function parseArgs(argv) {
  const o = { quick: false, json: null, plot: null, runs: null, nodes: null, only: null, modes: null, peerTimeout: 300 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = next();
    else if (a === '--plot') o.plot = next();
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--nodes') o.nodes = next().split(/[\s,]+/).filter(Boolean);
    else if (a === '--only') o.only = next();
    else if (a === '--modes') o.modes = next().split(/[\s,]+/).filter(Boolean);
    else if (a === '--peer-timeout') o.peerTimeout = Number(next());
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown option ${a}`);
  }
  if (o.only && !['recording', 'replay'].includes(o.only)) usage(`--only takes recording or replay`);
  if (o.runs === null) o.runs = o.quick ? 1 : 3;
  if (!(o.runs >= 1)) usage('--runs must be at least 1');
  if (!o.nodes) o.nodes = o.quick ? ['20'] : ['20', '24'];
  if (o.quick) o.peerTimeout = Math.min(o.peerTimeout, 120);
  return o;
}

function usage(error) {
  const header = fs.readFileSync(path.join(__dirname, 'run.sh'), 'utf8').split('\n');
  const end = header.findIndex((l, i) => i > 0 && !l.startsWith('#'));
  const text = header.slice(1, end).map((l) => l.replace(/^# ?/, '')).join('\n');
  if (error) {
    process.stderr.write(`bench/run.sh: ${error}\n`);
    process.exit(2);
  }
  process.stdout.write(text + '\n');
  process.exit(0);
}

const opts = parseArgs(process.argv.slice(2));
const AHTRACE = process.env.AHTRACE_BIN || path.join(ROOT, 'build/ahtrace');
const SQLITE_LOOP = process.env.SQLITE_LOOP_BIN || path.join(ROOT, 'build/bench/sqlite_insert_loop');
const TIME = '/usr/bin/time';
for (const [what, file] of [['ahtrace', AHTRACE], ['sqlite_insert_loop', SQLITE_LOOP], ['GNU time', TIME]]) {
  if (!fs.existsSync(file)) {
    process.stderr.write(`bench/run.sh: ${what} not found (${file}); build first: cmake --build build\n`);
    process.exit(2);
  }
}

// Sizes: the full run is what the README reports; --quick only checks that
// every step still runs.
const SIZES = opts.quick
  ? { promiseIter: 20000, requests: 4000, mixedIters: [5000, 10000, 20000] }
  : { promiseIter: 100000, requests: 20000, mixedIters: [29000, 58000, 115000, 230000] };

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'ahtrace-bench-'));
process.on('exit', () => fs.rmSync(TMP, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// The environment every measured command starts from: nothing of a recorder
// that the caller's shell may have set.
const BASE_ENV = { ...process.env };
for (const k of Object.keys(BASE_ENV)) if (k === 'NODE_OPTIONS' || k.startsWith('AHTRACE_')) delete BASE_ENV[k];

function log(msg) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

// Runs argv under GNU time (and `timeout`, which signals the whole process
// group, so that a peer's children stop too). Returns
// { seconds, rssMiB, stdout, error }; error is null, or the command's own
// message when it failed.
function measure(argv, { env = {}, cwd = TMP, timeout = 0, okStatus = [0] } = {}) {
  const timeFile = path.join(TMP, 'time.out');
  fs.rmSync(timeFile, { force: true });
  const wrapped = [TIME, '-f', '%e %M', '-o', timeFile];
  if (timeout > 0) wrapped.push('timeout', '--kill-after=10', String(timeout));
  wrapped.push(...argv);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(wrapped[0], wrapped.slice(1), {
    cwd, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let rssMiB = null;
  if (fs.existsSync(timeFile)) {
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop();
    const kb = Number(last.split(' ')[1]);
    if (kb > 0) rssMiB = kb / 1024;
  }
  const stdout = String(r.stdout || '');
  let error = null;
  if (r.error) error = r.error.message;
  else if (timeout > 0 && (r.status === 124 || r.status === 137)) error = `stopped after ${timeout} s (--peer-timeout)`;
  else if (!okStatus.includes(r.status)) error = `exit ${r.status}: ${errorLine(String(r.stderr || ''))}`;
  return { seconds, rssMiB, stdout, error };
}

// The line of a failed command's stderr that says what went wrong: node's
// FATAL ERROR or an Error line when there is one, else the last line.
function errorLine(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const hit = lines.find((l) => /FATAL ERROR|^\w*Error\b|ERR_|out of memory/i.test(l));
  return (hit || lines.pop() || '(no message)').slice(0, 300);
}

function diskBytes(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const f of fs.readdirSync(p)) n += diskBytes(path.join(p, f));
  return n;
}

// Events in a trace directory or a node trace-event log, as ahtrace's own
// reader counts them (`stats`): the same count for every format.
function countEvents(p) {
  const r = spawnSync(AHTRACE, ['stats', '--format', 'json', p], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /"totalEvents":\s*(\d+)/.exec(r.stdout || '');
  return m ? Number(m[1]) : null;
}

function stat(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

// Node lines through scripts/install-node.sh (which finds 20 in PATH and the
// others in the cache, installing a missing one from the npm registry).
function nodeLines() {
  const lines = [];
  for (const line of opts.nodes) {
    const r = spawnSync(path.join(ROOT, 'scripts/install-node.sh'), [line], { encoding: 'utf8' });
    const m = /^(\d+) (\S+)$/m.exec(r.stdout || '');
    if (r.status !== 0 || !m) {
      lines.push({ line, bin: null, version: null, note: `not available: ${errorLine(r.stderr || '')}` });
      continue;
    }
    const version = spawnSync(m[2], ['--version'], { encoding: 'utf8' }).stdout.trim();
    lines.push({ line, bin: m[2], version, note: null });
  }
  return lines;
}

// clinic, pinned, in the user's cache: never in this tree, fetched once.
function clinicBin() {
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'ahtrace', 'clinic', CLINIC_VERSION);
  const bin = path.join(dir, 'node_modules', '.bin', 'clinic');
  if (fs.existsSync(bin)) return { bin };
  log(`installing clinic@${CLINIC_VERSION} from the npm registry into the cache`);
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `clinic@${CLINIC_VERSION}`],
    { cwd: tmp, encoding: 'utf8' });
  if (r.status !== 0) return { error: `npm install clinic@${CLINIC_VERSION} failed: ${errorLine(r.stderr || '')}` };
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return { bin };
}

// Recording steps. `shown` is the command as the table and the JSON name it
// (no paths); `argv` builds the real one. Peers get --peer-timeout.
const RECORD_MODES = {
  bare: { shown: 'node W.js', argv: (c) => [c.node, c.script] },
  'empty-hook': {
    shown: 'node --require noop_hook.js W.js', argv: (c) => [c.node, c.script],
    env: () => ({ NODE_OPTIONS: `--require=${path.join(ROOT, 'bench/workloads/noop_hook.js')}` }),
  },
  ahtrace: { shown: 'ahtrace record -- node W.js', argv: (c) => [AHTRACE, 'record', '-o', c.dir, '--', c.node, c.script], events: true },
  'ahtrace:none': { shown: 'ahtrace record --stacks none', argv: (c) => [AHTRACE, 'record', '--stacks', 'none', '-o', c.dir, '--', c.node, c.script], events: true },
  'ahtrace:als': { shown: 'ahtrace record --stacks als', argv: (c) => [AHTRACE, 'record', '--stacks', 'als', '-o', c.dir, '--', c.node, c.script], events: true },
  'ahtrace:all': { shown: 'ahtrace record --stacks all', argv: (c) => [AHTRACE, 'record', '--stacks', 'all', '-o', c.dir, '--', c.node, c.script], events: true },
  'ahtrace:no-instrument': { shown: 'ahtrace record --no-instrument', argv: (c) => [AHTRACE, 'record', '--no-instrument', '-o', c.dir, '--', c.node, c.script], events: true },
  'trace-events': {
    shown: 'node --trace-event-categories node.async_hooks', peer: true, events: true, mkdir: true,
    argv: (c) => [c.node, '--trace-event-categories', 'node.async_hooks',
      '--trace-event-file-pattern', path.join(c.dir, 'node-${pid}-${rotation}.log'), c.script],
  },
  bubbleprof: {
    shown: `clinic@${CLINIC_VERSION} bubbleprof --collect-only`, peer: true, events: true,
    argv: (c) => [c.clinic, 'bubbleprof', '--collect-only', '--dest', c.dir, '--', c.node, c.script],
    // No usage-statistics prompt (it would wait on stdin) and no update check.
    env: () => ({ NO_INSIGHT: '1', NO_UPDATE_NOTIFIER: '1' }),
  },
};
const DEFAULT_MODES = ['bare', 'empty-hook', 'ahtrace', 'ahtrace:none', 'trace-events', 'bubbleprof'];

// Events in what a recording step wrote. bubbleprof keeps node's trace
// events (with its own categories) in *-traceevent beside its stack file.
function recordedEvents(mode, dir) {
  if (mode !== 'bubbleprof') return countEvents(dir);
  const found = [];
  const walk = (p) => {
    for (const f of fs.readdirSync(p)) {
      const q = path.join(p, f);
      if (fs.statSync(q).isDirectory()) walk(q);
      else if (f.endsWith('-traceevent')) found.push(q);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  if (found.length !== 1) return null;
  // stats reads node trace-event logs by their .log/.json name.
  const log = path.join(TMP, 'bubbleprof-traceevent.json');
  fs.renameSync(found[0], log);
  const n = countEvents(log);
  fs.rmSync(log, { force: true });
  return n;
}

function runRecording(lines) {
  const modes = opts.modes || DEFAULT_MODES;
  for (const m of modes) if (!RECORD_MODES[m]) usage(`unknown mode ${m}`);
  const clinic = modes.includes('bubbleprof') ? clinicBin() : {};
  const workloads = [
    { name: 'promise_heavy', env: { ITER: String(SIZES.promiseIter) }, size: `ITER=${SIZES.promiseIter}` },
    { name: 'http_als', env: { REQUESTS: String(SIZES.requests) }, size: `REQUESTS=${SIZES.requests}` },
  ];
  const groups = [];
  for (const nl of lines) {
    if (!nl.bin) {
      groups.push({ node: `${nl.line}`, version: null, note: nl.note, workloads: [] });
      continue;
    }
    const group = { node: nl.line, version: nl.version, workloads: [] };
    groups.push(group);
    const samples = {};  // workload -> mode -> [{seconds, rssMiB, rps, bytes, events, error}]
    for (let run = 1; run <= opts.runs; run++) {
      for (const wl of workloads) {
        for (const mode of modes) {
          const def = RECORD_MODES[mode];
          const list = ((samples[wl.name] ||= {})[mode] ||= []);
          if (mode === 'bubbleprof' && clinic.error) { list.push({ error: clinic.error }); continue; }
          // A peer that failed once is not run again: its error is the figure.
          if (def.peer && list.some((s) => s.error)) continue;
          log(`node ${nl.line} run ${run}/${opts.runs}: ${wl.name} ${mode}`);
          const dir = path.join(TMP, 'rec');
          fs.rmSync(dir, { recursive: true, force: true });
          if (def.mkdir) fs.mkdirSync(dir);
          const ctx = { node: nl.bin, script: path.join(ROOT, 'bench/workloads', `${wl.name}.js`), dir, clinic: clinic.bin };
          const r = measure(def.argv(ctx), {
            env: { ...wl.env, ...(def.env ? def.env() : {}) }, timeout: def.peer ? opts.peerTimeout : 0,
          });
          const s = { seconds: r.error ? null : r.seconds, rssMiB: r.rssMiB, error: r.error };
          if (r.error) s.error += ` (after ${r.seconds.toFixed(1)} s, ${fmtMB(diskBytes(dir))} written)`;
          const rps = /requests_per_s=(\d+)/.exec(r.stdout);
          if (rps) s.rps = Number(rps[1]);
          // Bytes and events from the first run only: the same program
          // writes the same amount each time, and counting is not free.
          if (def.events && !r.error && !list.some((x) => x.bytes)) {
            s.bytes = diskBytes(dir);
            s.events = recordedEvents(mode, dir);
          }
          fs.rmSync(dir, { recursive: true, force: true });
          list.push(s);
        }
      }
    }
    for (const wl of workloads) {
      const byMode = samples[wl.name];
      const floor = stat(byMode['empty-hook']?.map((s) => s.seconds) || []);
      const bare = stat(byMode.bare?.map((s) => s.seconds) || []);
      const rows = modes.map((mode) => {
        const list = byMode[mode];
        const seconds = stat(list.map((s) => s.seconds));
        const counted = list.find((s) => s.bytes);
        const row = {
          step: mode, command: RECORD_MODES[mode].shown, seconds,
          rssMiB: stat(list.map((s) => s.rssMiB)),
          requestsPerS: stat(list.map((s) => s.rps)),
          xFloor: seconds && floor ? seconds.median / floor.median : null,
          xBare: seconds && bare ? seconds.median / bare.median : null,
          bytes: counted ? counted.bytes : null,
          events: counted ? counted.events : null,
          error: list.find((s) => s.error)?.error || null,
        };
        row.bytesPerEvent = row.bytes && row.events ? row.bytes / row.events : null;
        return row;
      });
      group.workloads.push({ name: wl.name, size: wl.size, rows });
    }
  }
  return { runs: opts.runs, peerTimeoutS: opts.peerTimeout, groups };
}

// Replay: traces of mixed_10m.js at every size of the curve, recorded on the
// first node line; the largest gets the full table, every size a point of
// the curve (replay and check).
function runReplay(nl) {
  const traces = SIZES.mixedIters.map((iter) => {
    const dir = path.join(TMP, `mixed-${iter}.trace`);
    log(`recording mixed_10m.js ITER=${iter} (node ${nl.line})`);
    const r = measure([AHTRACE, 'record', '-o', dir, '--', nl.bin, path.join(ROOT, 'bench/workloads/mixed_10m.js')],
      { env: { ITER: String(iter) } });
    if (r.error) throw new Error(`recording mixed_10m.js failed: ${r.error}`);
    return { iter, dir, bytes: diskBytes(dir), events: countEvents(dir) };
  });
  const big = traces[traces.length - 1];
  const db = path.join(TMP, 'out.db');
  const steps = [
    { step: 'cat', command: 'cat trace/*', argv: (t) => ['sh', '-c', 'cat "$0"/* >/dev/null', t.dir] },
    { step: 'sqlite-loop', command: 'sqlite_insert_loop EVENTS out.db', argv: (t) => [SQLITE_LOOP, String(t.events), db] },
    { step: 'stats', command: 'ahtrace stats', argv: (t) => [AHTRACE, 'stats', t.dir], baseline: 'cat' },
    { step: 'replay --no-events', command: 'ahtrace replay -q --no-events', argv: (t) => [AHTRACE, 'replay', '-q', '--no-events', t.dir, '-o', db], baseline: 'sqlite-loop', curve: true },
    { step: 'replay', command: 'ahtrace replay -q', argv: (t) => [AHTRACE, 'replay', '-q', t.dir, '-o', db], baseline: 'sqlite-loop', curve: true },
    // check exits 1 when it finds something: that is a result, not a failure.
    { step: 'check', command: 'ahtrace check', argv: (t) => [AHTRACE, 'check', t.dir], baseline: 'stats', okStatus: [0, 1], curve: true },
  ];
  const samples = new Map();  // `${iter} ${step}` -> [measure]
  for (let run = 1; run <= opts.runs; run++) {
    for (const t of traces) {
      for (const s of steps) {
        if (t !== big && !s.curve) continue;
        log(`replay run ${run}/${opts.runs}: ${t.events} events, ${s.step}`);
        const r = measure(s.argv(t), { okStatus: s.okStatus || [0] });
        fs.rmSync(db, { force: true });
        const key = `${t.iter} ${s.step}`;
        if (!samples.has(key)) samples.set(key, []);
        samples.get(key).push(r);
      }
    }
  }
  const figures = (t, step) => {
    const list = samples.get(`${t.iter} ${step}`) || [];
    const seconds = stat(list.map((r) => (r.error ? null : r.seconds)));
    return {
      seconds, rssMiB: stat(list.map((r) => r.rssMiB)),
      eventsPerS: seconds ? t.events / seconds.median : null,
      error: list.find((r) => r.error)?.error || null,
    };
  };
  const rows = steps.map((s) => ({ step: s.step, command: s.command, baseline: s.baseline || null, ...figures(big, s.step) }));
  for (const row of rows) {
    const base = rows.find((r) => r.step === row.baseline);
    row.xBaseline = row.seconds && base?.seconds ? row.seconds.median / base.seconds.median : null;
  }
  const curve = traces.map((t) => ({
    iter: t.iter, events: t.events, bytes: t.bytes,
    ...Object.fromEntries(steps.filter((s) => s.curve).map((s) => [s.step, figures(t, s.step)])),
  }));
  return {
    node: nl.line, version: nl.version,
    trace: { workload: 'mixed_10m.js', iter: big.iter, events: big.events, bytes: big.bytes, bytesPerEvent: big.bytes / big.events },
    rows, curve,
  };
}

// ---- the table -------------------------------------------------------------

const fmtS = (s) => (s ? `${s.median.toFixed(2)} [${s.min.toFixed(2)}-${s.max.toFixed(2)}]` : '-');
const fmtRate = (v) => (v == null ? '-' : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : `${Math.round(v)}`);
const fmtX = (x, what) => (x == null ? '-' : `${x.toFixed(2)}x ${what}`);
const fmtMiB = (s) => (s ? `${Math.round(s.median)}` : '-');
const fmtMB = (b) => (b ? `${(b / 1e6).toFixed(0)} MB` : '-');

function printTable(result) {
  const head = ['section', 'node', 'workload', 'step', 'seconds med [min-max]', 'rate', 'ratio', 'peak MiB', 'on disk', 'B/event', 'note'];
  const rows = [];
  for (const g of result.recording?.groups || []) {
    if (!g.version) { rows.push(['record', g.node, '', '', '', '', '', '', '', '', g.note]); continue; }
    for (const w of g.workloads) {
      for (const r of w.rows) {
        rows.push(['record', g.node, `${w.name} ${w.size}`, r.step, fmtS(r.seconds),
          r.requestsPerS ? `${fmtRate(r.requestsPerS.median)} req/s` : '-',
          r.step === 'empty-hook' ? 'floor' : fmtX(r.xFloor, 'floor'), fmtMiB(r.rssMiB), fmtMB(r.bytes),
          r.bytesPerEvent ? r.bytesPerEvent.toFixed(1) : '-', r.error || (r.events ? `${r.events} events` : '')]);
      }
    }
  }
  const rp = result.replay;
  if (rp) {
    for (const r of rp.rows) {
      rows.push(['replay', rp.node, `mixed_10m ITER=${rp.trace.iter}`, r.step, fmtS(r.seconds),
        r.eventsPerS ? `${fmtRate(r.eventsPerS)} ev/s` : '-', fmtX(r.xBaseline, r.baseline || ''), fmtMiB(r.rssMiB),
        r.step === 'cat' ? fmtMB(rp.trace.bytes) : '-', r.step === 'cat' ? rp.trace.bytesPerEvent.toFixed(1) : '-',
        r.error || (r.step === 'cat' ? `${rp.trace.events} events` : '')]);
    }
    for (const c of rp.curve) {
      for (const step of ['replay', 'check']) {
        rows.push(['curve', rp.node, `mixed_10m ITER=${c.iter}`, step, fmtS(c[step].seconds),
          c[step].eventsPerS ? `${fmtRate(c[step].eventsPerS)} ev/s` : '-', '-', fmtMiB(c[step].rssMiB), fmtMB(c.bytes), '-',
          c[step].error || `${c.events} events`]);
      }
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  console.log(`ahtrace bench ${result.date}: ${result.machine.cpus} cpus (${result.machine.cpuModel}), ` +
    `${result.machine.memGiB} GiB, nodes ${result.nodes.map((n) => n.version || `${n.line} (missing)`).join(' ')}, ` +
    `median of ${result.runs} interleaved run(s)${result.quick ? ', --quick' : ''}`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

function main() {
  const started = Date.now();
  const lines = nodeLines();
  const result = {
    format: 'ahtrace-bench', version: 1,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), quick: opts.quick, runs: opts.runs,
    machine: {
      cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim(), memGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.platform()} ${os.arch()}`,
    },
    ahtrace: spawnSync(AHTRACE, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    commit: spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || null,
    nodes: lines.map(({ line, version, note }) => ({ line, version, note })),
  };
  if (opts.only !== 'replay') result.recording = runRecording(lines);
  if (opts.only !== 'recording') {
    const first = lines.find((l) => l.bin);
    if (first) result.replay = runReplay(first);
  }
  result.totalSeconds = Math.round((Date.now() - started) / 1000);
  const json = opts.json || path.join(ROOT, 'bench/results', `${result.date.replace(/:/g, '')}.json`);
  fs.mkdirSync(path.dirname(json), { recursive: true });
  fs.writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
  let plot = null;
  if (result.replay) {
    plot = opts.plot || json.replace(/\.json$/, '') + '.svg';
    fs.writeFileSync(plot, drawCurve(result));
  }
  printTable(result);
  console.log(`\n${result.totalSeconds} s; JSON: ${path.relative(process.cwd(), json)}${plot ? `, plot: ${path.relative(process.cwd(), plot)}` : ''}`);
}

main();
