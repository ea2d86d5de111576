'use strict';
// ahtrace recorder: runs inside the traced node process.
//
// Loaded with NODE_OPTIONS=--require=<abs>/preload.js into the program, its
// worker threads and its child node processes. Does nothing unless AHTRACE_DIR
// is set. Each process/thread writes one binary stream
// ${AHTRACE_DIR}/p<pid>-t<threadId>.ahs in the format of docs/trace-format.md:
// a header, then 56-byte records written into a preallocated buffer
// (Float64Array + Uint32Array views) and written with fs.writeSync when the
// buffer is full, at the first event FLUSH_MS after the last flush (no timer:
// the recorder creates no async resource the program could observe), at exit
// and on a fatal signal.
// Env: AHTRACE_DIR, AHTRACE_STACKS=none|als|default|all, AHTRACE_CLOCK=fast|exact.
//
// What is recorded:
//  - init/before/after/destroy/promiseResolve of one async_hooks hook, each
//    with executionAsyncId() and triggerAsyncId() as seen inside the hook and
//    a performance.now() timestamp (clock "fast", the default: PROMISE init,
//    promiseResolve and destroy repeat the last measured timestamp; reading
//    the clock costs ~40 ns and saved ~20% of the recorder's wall time on
//    promise_heavy: 0.46 s vs 0.56 s with AHTRACE_CLOCK=exact);
//  - AsyncLocalStorage: a subclass replaces async_hooks.AsyncLocalStorage
//    (alsCreate; also for `import` via syncBuiltinESMExports), and the
//    prototype methods run/enterWith/exit/disable/getStore are wrapped, so
//    instances of the original class are recorded too (ids assigned on first
//    use). Calls the original methods make to each other are not recorded
//    (depth counter, reset while the user's callback runs);
//  - store values get ids (0 = undefined) and a `store` record with a label
//    built from own property descriptors only. util.inspect is not used for
//    objects: even with customInspect/getters off it does ordinary Gets
//    (Symbol.toStringTag, .href, .name, .message) that can run user getters.
//
// Creation sites (AHTRACE_STACKS): `none`; `all` = every init and every ALS
// call; `default` = every ALS call and every init except PROMISE and
// TickObject. A stack capture costs ~1.3 us + 0.4 us per frame in node 20.
// Measured (node v20.20.2, 2-core VM, median of 3, wall seconds, ratio to the
// empty-hook baseline; bench/record_overhead.sh):
//   promise_heavy (3.4M events): empty hook 0.33 | none 0.47 (1.43x) |
//     default 0.46 (1.40x) | all 4.70 (14.3x: every PROMISE init captured)
//   http_als (20k requests, 2.5M events): empty hook 1.12 | none 1.37 (1.22x)
//     | default 2.45 (2.18x) | all 6.70 (5.96x). With TickObject sites too,
//     default was 5.7 s: TickObject is 72% of inits in I/O code, nearly all
//     created by node internals with no user frame within reach.
// So PROMISE inits get no site in `default` (they would make promise-heavy
// code 10x slower); their trigger chain leads to a resource or ALS call that
// has one. The remaining recorder cost on promise_heavy (~1.4x instead of
// the 1.3x target) is ~16 ns/event writing 56 bytes to the page cache, ~12
// ns/event clock reads and ~10 ns/event filling the record.
//
// Hot-path rules: no allocation, closures, string building or async
// resources per event; every hook body is in try/catch (a throw inside a hook
// is fatal in node): on an internal error recording stops with one line on
// stderr (process._rawDebug).
//
// Signals (main thread only): SIGINT/SIGTERM/SIGHUP listeners are installed
// before the hook is enabled. On a signal the buffer is flushed; if our
// listener is the only one, it writes streamEnd (a = 128 + signal, b =
// signal), removes itself and re-sends the signal so the process dies by it as
// it would have. Our process listeners are hidden from listeners(),
// rawListeners(), listenerCount() and eventNames() so that code that counts
// listeners to decide whether to re-raise (signal-exit, used by many CLIs)
// behaves as without us. Caveats: a process stuck in synchronous code no
// longer dies on SIGINT/SIGTERM/SIGHUP until it returns to the event loop; if
// the program adds and later removes all its listeners for a signal, node
// closes the signal watcher and the signal kills without a final flush.
//
// Exit: process.emit is wrapped so that streamEnd (a = exit code) is written
// after all of the program's 'exit' listeners ran. worker.terminate() runs no
// JS in the worker: its buffer lives in a SharedArrayBuffer pool handed down
// through worker environment data, and the creating thread appends the
// unflushed records in the worker's 'exit' event (no streamEnd). Workers
// still running when the process exits lose what they did not flush.

const REC_BYTES = 56;
const CAP = 2048; // records per buffer (112 KiB)
const FLUSH_MS = 250;
// Stack frames captured to find the first user frame. A capture costs about
// 0.8 us + 0.45 us per frame (node 20), so keep these small: an ALS call's
// caller is the first frame; a user's setTimeout/setImmediate/nextTick/promise
// is 3-5 frames below the init hook; deeper means node-internal plumbing.
const INIT_SITE_DEPTH = 6;
const INIT_SITE_DEPTH_ALL = 12;
const ALS_SITE_DEPTH = 4;
// getStore() also records up to three callers (a store is often read in a
// shared logger: the caller says which code path lost it). A read inside a
// library (OpenTelemetry's context.active(), a logger) records its library
// callers and then three from the first frame outside node_modules on, so
// check can point at the application's own line; the stack is taken again
// deeper when the first capture was cut before those.
const GET_STORE_SITE_DEPTH = 8;
const GET_STORE_SITE_DEPTH_LIBRARY = 24;
const MIN_CALLERS = 3;
const MAX_CALLERS = 16;
const FORMAT_VERSION = 1;
const POOL_SLOTS = 32; // worker buffers shared with the creating thread
const SLOT_HEAD = 4160; // 64 bytes of int32 fields, then the stream path
const SLOT_BYTES = SLOT_HEAD + CAP * REC_BYTES;
const POOL_KEY = 'ahtrace.workerBuffers';

const K_INIT = 1;
const K_BEFORE = 2;
const K_AFTER = 3;
const K_DESTROY = 4;
const K_PROMISE_RESOLVE = 5;
const K_STRING = 16;
const K_STORE = 17;
const K_SOURCE = 18;
const K_FUNCTIONS = 19;
const K_ALS_CREATE = 32;
const K_ALS_RUN_BEGIN = 33;
const K_ALS_RUN_END = 34;
const K_ALS_ENTER_WITH = 35;
const K_ALS_EXIT_BEGIN = 36;
const K_ALS_EXIT_END = 37;
const K_ALS_DISABLE = 38;
const K_ALS_GET_STORE = 39;
const K_ALS_EXPECT = 40;
const K_LISTENER_ADD = 48;
const K_EMIT_BEGIN = 49;
const K_EMIT_END = 50;
const K_PROCESS_EMIT_BEGIN = 51;
const K_PROCESS_EMIT_END = 52;
const K_STREAM_END = 63;

// The largest program file the recorder reads for the trace (source
// records) or instruments.
const MAX_SOURCE_BYTES = 1 << 20;
// Library code: a file under a node_modules directory (never instrumented).
function isLibraryFile(name) { return name.includes('/node_modules/'); }
// The module node 20's hooks thread loads (module.register): the
// instrumenting itself is this file's, set up there by the code below.
const ESM_HOOKS_MODULE = `
const instrument = globalThis[Symbol.for('ahtrace.esm-instrument')];
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  return typeof instrument === 'function' ? instrument(result, url) : result;
}`;

// A stream file's header (docs/trace-format.md): magic, version, length,
// then the JSON padded with spaces to a multiple of 8 bytes (H is then the
// JSON length and the padded length at once: no NUL padding is needed).
function headerBytes(header) {
  let json = JSON.stringify(header);
  let jlen = Buffer.byteLength(json);
  while (jlen % 8 !== 0) { json += ' '; jlen++; }
  const head = Buffer.alloc(16 + jlen);
  head.write('AHTRACE\0', 0, 'latin1');
  head.writeUInt32LE(FORMAT_VERSION, 8);
  head.writeUInt32LE(jlen, 12);
  head.write(json, 16, 'utf8');
  return head;
}

const MARK = typeof Symbol === 'function' ? Symbol.for('ahtrace.recorder') : '__ahtrace_recorder';

function rawDebug(msg) {
  try {
    if (typeof process._rawDebug === 'function') process._rawDebug(msg);
    else require('fs').writeSync(2, msg + '\n');
  } catch (e) { /* nothing left to do */ }
}

function errText(e) {
  try { return (e && e.stack) ? String(e.stack).split('\n').slice(0, 3).join(' | ') : String(e); } catch (e2) { return 'unknown error'; }
}

// The stream a starting recorder has opened and not finished its header
// in: removed if the start fails (a stream without a whole header is noise
// beside the failure marker).
let startingStream = null;

let esmHooksThread = false;
try {
  esmHooksThread = process.env.AHTRACE_ESM_HOOKS === '1' && !require('worker_threads').isMainThread;
} catch (e) { /* no worker_threads: no hooks thread either */ }
if (esmHooksThread) {
  // Node 20's module-hooks thread (see start()): nothing is recorded here,
  // ES modules are instrumented for the program's thread.
  const parser = loadParser(__filename);
  if (parser !== null) {
    Object.defineProperty(globalThis, Symbol.for('ahtrace.esm-instrument'), {
      value: (result, url) => {
        try { return esmInstrumented(parser, result, url, null); } catch (e) { return result; }
      },
    });
  }
} else if (process.env.AHTRACE_DIR && !global[MARK]) {
  try {
    Object.defineProperty(global, MARK, { value: true, enumerable: false, configurable: true });
  } catch (e) { /* ignore */ }
  try {
    start(process.env.AHTRACE_DIR);
  } catch (e) {
    const code = ioCodeOf(e);
    const msg = 'recorder failed to start, nothing is recorded: ' + (code ? ioText(code) + ': ' : '') + errText(e);
    rawDebug('ahtrace: ' + msg);
    if (startingStream !== null) {
      try { require('fs').closeSync(startingStream.fd); } catch (e2) { /* ignore */ }
      try { require('fs').unlinkSync(startingStream.file); } catch (e2) { /* ignore */ }
    }
    noteFailure(process.env.AHTRACE_DIR, msg, code, -1, '');
  }
}

// The errno name of a failed system call ("ENOSPC"), or '' for any other
// error (a bug of ours, a frozen builtin).
function ioCodeOf(e) {
  const code = e && typeof e === 'object' ? e.code : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]{1,15}$/.test(code) ? code : '';
}

// A failed write said as what it is: a user must recognise a full disk at
// once (it used to read "internal error"). Same words as the C++ side
// (lib/common/io_error.cc).
function ioText(code) {
  switch (code) {
    case 'ENOSPC': return 'disk full (ENOSPC)';
    case 'EDQUOT': return 'disk quota exceeded (EDQUOT)';
    case 'EFBIG': return 'file too large (EFBIG)';
    case 'EIO': return 'I/O error (EIO)';
    case 'EROFS': return 'read-only file system (EROFS)';
    default: return code;
  }
}

// Leaves p<pid>-t<thread>.failed in the trace directory: `ahtrace record`
// and every reading command then say that this process or thread was not
// recorded (or, beside its stream, why its recording stopped), instead of
// judging a trace that silently lacks it or blaming a kill. A failed
// system call's errno name goes into the file name too
// (p<pid>-t<thread>.ENOSPC.failed): on a full disk a new empty file can
// still be created but not a byte written into it, and the name alone then
// tells the readers what happened. tid -1: this thread.
function noteFailure(dir, msg, code, tid, stream) {
  try {
    const fs = require('fs');
    if (tid < 0) {
      tid = 0;
      try { tid = require('worker_threads').threadId; } catch (e) { /* none */ }
    }
    const name = 'p' + process.pid + '-t' + tid + (code ? '.' + code : '') + '.failed';
    const fd = fs.openSync(require('path').join(dir, name), 'w');
    try {
      const line = JSON.stringify({
        pid: process.pid, threadId: tid, node: process.version, argv: process.argv, error: msg,
        code: code || undefined, stream: stream || undefined,
      });
      fs.writeSync(fd, line + '\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) { /* the message on stderr (and the marker's name, if created) is all we can do */ }
}

// ---- the instrumentation itself (closure ownership, docs/recorder.md) -----
// Pure: the text of a module with the ownership calls inserted, or null when
// there is nothing to insert or acorn cannot parse it. Runs where modules
// are compiled: the program's thread for CommonJS and for ES modules on
// node 22+ (module.registerHooks), node's module-hooks thread for ES modules
// on node 20 (module.register). So it touches no recorder state: the module
// registers its own tables when it runs, in the header inserted at its top:
//   var __aht=globalThis[Symbol.for('ahtrace.ownership')],__ahtF=__aht.m({...});
// {f: the file name V8 reports for its frames, s: each instrumented
// function's "file:line:col", o: each handed-over object literal's,
// h: [line, col, length] of every insertion, the header's own included},
// and its closures and objects are numbered __ahtF+k. `onAst` (or null)
// is given the parsed program first (the functions record).
function instrumentSource(parser, content, filename, v8File, sourceType, onAst) {
  let ast;
  try {
    ast = parser.parse(content, {
      ecmaVersion: 'latest', sourceType: sourceType, allowHashBang: true,
      allowReturnOutsideFunction: sourceType === 'script', allowAwaitOutsideFunction: sourceType === 'module',
      locations: true, preserveParens: true, // an arrow's body `({ ... })` starts at its '('
    });
  } catch (e) {
    return null;
  }
  if (onAst !== null) {
    try { onAst(ast); } catch (e) { /* no extents for this file: check falls back to its scanner */ }
  }
  const inserts = []; // [offset, text]
  const fids = [];    // k -> "file:line:col" of the function numbered __ahtF+k
  const oids = [];    // k -> "file:line:col" of the object literal numbered __ahtF+k
  const lineStarts = [0];
  for (let p = content.indexOf('\n'); p >= 0; p = content.indexOf('\n', p + 1)) lineStarts.push(p + 1);
  let any = false;
  // The end of a statement list's directive prologue ('use strict' must
  // stay first), or `from` when it has none.
  function afterDirectives(statements, from) {
    let at = from;
    for (const st of statements) {
      if (st.type !== 'ExpressionStatement' || typeof st.directive !== 'string') break;
      at = st.end;
    }
    return at;
  }
  function visit(node, depth, fn) {
    if (node === null || typeof node !== 'object') return false;
    if (Array.isArray(node)) {
      let has = false;
      for (const n of node) has = visit(n, depth, fn) || has;
      return has;
    }
    if (typeof node.type !== 'string') return false;
    const isFn = node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' ||
      node.type === 'FunctionDeclaration';
    if (isFn) {
      const inner = depth + 1;
      const closure = inner >= 2;
      // A function of the module's top level has no creator to belong
      // to; it belongs to the request whose object it is handed as its
      // first argument (a queue's worker), if any.
      const first = node.params.length > 0 && node.params[0].type === 'Identifier' ? node.params[0].name : null;
      const receiver = inner === 1 && first !== null;
      if (closure || receiver) node.__ahtE = inner; // its awaits report back
      // Closures in default parameter values are left alone: the body's
      // `var`s are not in their scope.
      visit(node.params, -1000, node);
      const nested = visit(node.body, inner, node);
      if (!closure && !nested && !receiver) return true;
      let head = '';
      if (closure || receiver) {
        const fid = '__ahtF+' + fids.length;
        fids.push(filename + ':' + node.loc.start.line + ':' + (node.loc.start.column + 1));
        head += 'var __ahtE' + inner + '=' +
          (closure ? '__aht.i(__ahtS' + depth + ',' + fid + ');' : '__aht.a(' + first + ',' + fid + ');');
      }
      if (nested) head += 'var __ahtS' + inner + '=__aht.s();';
      if (node.body.type === 'BlockStatement') {
        inserts.push([afterDirectives(node.body.body, node.body.start + 1), head]);
      } else {
        inserts.push([node.body.start, '{' + head + 'return (']);
        inserts.push([node.body.end, ');}']);
      }
      any = true;
      return true;
    }
    if (node.type === 'AwaitExpression' && fn !== null && fn.__ahtE === depth) {
      inserts.push([node.start, '__aht.w(']);
      inserts.push([node.end, ',__ahtE' + depth + ')']);
    }
    // An object literal handed to a call inside a function (a task
    // pushed on a queue) remembers the stores it was made under.
    if ((node.type === 'CallExpression' || node.type === 'NewExpression') && depth >= 1) {
      for (const arg of node.arguments) {
        if (arg.type !== 'ObjectExpression') continue;
        const oid = '__ahtF+' + oids.length;
        oids.push(filename + ':' + arg.loc.start.line + ':' + (arg.loc.start.column + 1));
        inserts.push([arg.start, '__aht.o(']);
        inserts.push([arg.end, ',' + oid + ')']);
        any = true;
      }
    }
    let has = false;
    for (const key in node) {
      if (key === 'loc' || key === 'type' || key === 'start' || key === 'end') continue;
      const v = node[key];
      if (v !== null && typeof v === 'object') has = visit(v, depth, fn) || has;
    }
    return has;
  }
  visit(ast.body, 0, null);
  if (!any) return null;
  // The header goes after the program's directives, before its first
  // statement (before its imports too: they are hoisted anyway).
  let top = afterDirectives(ast.body, 0);
  if (top === 0 && ast.body.length > 0) top = ast.body[0].start;
  function lineOf(at) {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= at) lo = mid; else hi = mid - 1; }
    return lo;
  }
  inserts.sort((x, y) => x[0] - y[0]);
  const shifts = [];
  for (const [at, text] of inserts) {
    const lo = lineOf(at);
    shifts.push([lo + 1, at - lineStarts[lo], text.length]);
  }
  // The header lists its own length among the insertions: grown until the
  // number it states is its length.
  const topLine = lineOf(top);
  const headerShift = [topLine + 1, top - lineStarts[topLine], 0];
  let k = 0;
  while (k < inserts.length && inserts[k][0] < top) k++;
  shifts.splice(k, 0, headerShift); // in order on its line, before insertions at the same offset
  const tables = { f: v8File, s: fids, o: oids, h: shifts };
  let header = '';
  for (;;) {
    header = 'var __aht=globalThis[Symbol.for(\'ahtrace.ownership\')],__ahtF=__aht.m(' +
      JSON.stringify(tables) + ');';
    if (header.length === headerShift[2]) break;
    headerShift[2] = header.length;
  }
  let out = '';
  let from = 0;
  let headerDone = false;
  for (const [at, text] of inserts) {
    if (!headerDone && at >= top) { out += content.slice(from, top) + header; from = top; headerDone = true; }
    out += content.slice(from, at) + text;
    from = at;
  }
  if (!headerDone) { out += content.slice(from, top) + header; from = top; }
  out += content.slice(from);
  return out;
}

// An ES module's load() result with its text instrumented, or the result
// as it was (not a file of the program, too big, or nothing to insert).
function esmInstrumented(parser, result, url, onAst) {
  if (result === null || typeof result !== 'object' || result.format !== 'module' || typeof url !== 'string' ||
      !url.startsWith('file:///') || isLibraryFile(url)) return result;
  const src = result.source;
  let text = null;
  if (typeof src === 'string') text = src;
  else if (src && typeof src.byteLength === 'number' && src.byteLength <= MAX_SOURCE_BYTES)
    text = Buffer.from(src.buffer || src, src.byteOffset || 0, src.byteLength).toString('utf8');
  if (text === null || text.length > MAX_SOURCE_BYTES) return result;
  let file;
  try { file = require('url').fileURLToPath(url); } catch (e) { return result; }
  const out = instrumentSource(parser, text, file, url, 'module',
    onAst === null ? null : (ast) => onAst(ast, text, file));
  return out === null ? result : Object.assign({}, result, { source: out });
}

// The JavaScript parser (acorn, written next to the preload by `record`)
// for the closure-ownership instrumentation; null when it is off.
function loadParser(preloadFile) {
  if (process.env.AHTRACE_INSTRUMENT === '0') return null;
  try {
    const file = require('path').join(require('path').dirname(preloadFile), '.parser.js');
    const code = require('fs').readFileSync(file, 'utf8');
    const mod = { exports: {} };
    require('vm').compileFunction(code, ['exports', 'module'], { filename: file })(mod.exports, mod);
    return typeof mod.exports.parse === 'function' ? mod.exports : null;
  } catch (e) {
    return null;
  }
}

function start(dir) {
  const fs = require('fs');
  const path = require('path');
  const util = require('util');
  const ah = require('async_hooks');
  const performance = require('perf_hooks').performance;

  const major = Number(String(process.versions.node).split('.')[0]);
  // Bun and Deno offer node:async_hooks' AsyncLocalStorage but not its hook
  // events (Bun: none; Deno: some, for timers only). There the recorder
  // records AsyncLocalStorage activity only and says so in the header
  // (hookEvents: false); replay does not simulate such streams.
  const runtime = process.versions.bun ? 'bun' : (typeof Deno === 'object' && Deno !== null ? 'deno' : 'node');
  const hookEvents = runtime === 'node';
  let runtimeVersion = process.version;
  if (runtime === 'bun') runtimeVersion = 'bun ' + process.versions.bun;
  else if (runtime === 'deno') { try { runtimeVersion = 'deno ' + Deno.version.deno; } catch (e) { runtimeVersion = 'deno'; } }
  let wt = null;
  try { wt = require('worker_threads'); } catch (e) { /* very old node */ }
  const threadId = wt ? wt.threadId : 0;
  const isMainThread = wt ? wt.isMainThread : true;

  let stacks = String(process.env.AHTRACE_STACKS || 'default');
  if (stacks !== 'none' && stacks !== 'all' && stacks !== 'als') stacks = 'default';
  const clock = process.env.AHTRACE_CLOCK === 'exact' ? 'exact' : 'fast';
  const fastClock = clock === 'fast';

  // ---- stream file -------------------------------------------------------
  // `record --max-size`: the stream is cut into segment files of about this
  // many bytes (p<pid>-t<thread>.ahs, then .1.ahs, .2.ahs, ...) so that
  // `ahtrace record` can delete the oldest while the program runs; 0 = one
  // file. See rotate().
  const segmentBytes = Math.floor(Number(process.env.AHTRACE_SEGMENT_BYTES)) > 0
    ? Math.max(REC_BYTES * CAP, Math.floor(Number(process.env.AHTRACE_SEGMENT_BYTES))) : 0;
  const base = path.join(dir, 'p' + process.pid + '-t' + threadId);
  let file = base + '.ahs';
  let fd = -1;
  let streamBytes = 0; // see writeAll
  for (let k = 1; fd < 0; k++) {
    try {
      fd = fs.openSync(file, 'wx');
    } catch (e) {
      if (!e || e.code !== 'EEXIST' || k > 10000) throw e;
      file = base + '-' + k + '.ahs';
    }
  }
  const stem = file.slice(0, -4);
  startingStream = { fd: fd, file: file };

  // Which AsyncLocalStorage implementation this process uses, read off the
  // class node hands out rather than guessed from flags: the async_hooks one
  // (node 20, 22, and 24+ with --no-async-context-frame) propagates stores
  // through its own init hook (`_propagate`, `_enable` on the prototype);
  // the AsyncContextFrame one (the default from 24, `--experimental-async-
  // context-frame` on 22) keeps them in V8's continuation data and has
  // neither.
  const OrigALS = ah.AsyncLocalStorage;
  const acf = typeof OrigALS === 'function' && typeof OrigALS.prototype._propagate !== 'function';
  let allowFlag = false;
  try { allowFlag = process.allowedNodeEnvironmentFlags.has('--allow-async-hooks'); } catch (e) { /* old node */ }

  const parser = hookEvents ? loadParser(__filename) : null;

  let cwd = '';
  try { cwd = process.cwd(); } catch (e) { /* cwd removed */ }
  const header = {
    format: 'ahtrace-stream',
    version: FORMAT_VERSION,
    pid: process.pid,
    ppid: process.ppid,
    threadId: threadId,
    isMainThread: isMainThread,
    node: process.version,
    runtime: runtime,
    runtimeVersion: runtimeVersion,
    hookEvents: hookEvents,
    argv: process.argv,
    execArgv: process.execArgv,
    cwd: cwd,
    timeOrigin: performance.timeOrigin,
    asyncContextFrame: acf,
    alsImplementation: acf ? 'AsyncContextFrame' : 'async_hooks',
    allowAsyncHooksFlag: allowFlag,
    stacks: stacks,
    clock: clock,
    recordSize: REC_BYTES,
    // The program's own CommonJS modules were instrumented to see which
    // store each closure was created under (alsExpect records).
    closureOwnership: parser !== null,
  };
  if (segmentBytes > 0) header.segment = 0;
  const head = headerBytes(header);
  writeAll(head, head.length);
  startingStream = null;

  if (hookEvents && !(major >= 20)) {
    try { fs.closeSync(fd); } catch (e) { /* ignore */ }
    rawDebug('ahtrace: node ' + process.version + ' is not supported (need >= 20)');
    return;
  }

  // streamBytes (declared with fd): what the stream file holds. Every
  // write starts at a record boundary and is whole records (or the header),
  // so when one fails part way (a full disk) the file is cut back to the
  // last whole record: the readers then see a stream that stops, not a torn
  // record they would take for a process killed mid-write.
  function writeAll(buf, len) {
    let off = 0;
    try {
      while (off < len) off += fs.writeSync(fd, buf, off, len - off);
    } catch (e) {
      try { fs.ftruncateSync(fd, streamBytes + off - (off % REC_BYTES)); } catch (e2) { /* keep e */ }
      throw e;
    }
    streamBytes += len;
  }

  // ---- record buffer -----------------------------------------------------
  // Worker threads take their buffer from a SharedArrayBuffer pool that the
  // main thread hands down through worker environment data: when a worker is
  // terminated (no JS runs in it any more), the thread that created it writes
  // the worker's unflushed records from the pool after its 'exit' event.
  // ctl: [0] owner threadId, [1] records in the buffer, [3] state (1
  // recording, 2 finished), [4] byte length of the stream path stored at
  // offset 64 of the slot. (Node closes the fds a worker opened when it ends,
  // so the creating thread reopens the file by path, for appending.)
  let pool = null;
  let ctl = null;
  let bufOff = 0;
  if (typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && wt &&
      typeof wt.getEnvironmentData === 'function') {
    try {
      if (isMainThread) {
        pool = new SharedArrayBuffer(POOL_SLOTS * SLOT_BYTES);
        wt.setEnvironmentData(POOL_KEY, pool);
      } else {
        const p = wt.getEnvironmentData(POOL_KEY);
        if (p instanceof SharedArrayBuffer && p.byteLength === POOL_SLOTS * SLOT_BYTES) {
          pool = p;
          for (let s = 0; s < POOL_SLOTS && ctl === null; s++) {
            const c = new Int32Array(pool, s * SLOT_BYTES, 16);
            if (Atomics.compareExchange(c, 0, 0, threadId) === 0) {
              ctl = c;
              bufOff = s * SLOT_BYTES + SLOT_HEAD;
            }
          }
        }
      }
    } catch (e) { pool = null; ctl = null; }
  }
  let f64, u32, u8;
  let shared = false; // this thread's buffer is a pool slot another thread can rescue
  if (ctl !== null) {
    f64 = new Float64Array(pool, bufOff, CAP * 7);
    u32 = new Uint32Array(pool, bufOff, CAP * 14);
    u8 = new Uint8Array(pool, bufOff, CAP * REC_BYTES);
    const pathBytes = Buffer.from(file, 'utf8');
    ctl[1] = 0;
    if (pathBytes.length <= SLOT_HEAD - 64) {
      new Uint8Array(pool, bufOff - SLOT_HEAD + 64, pathBytes.length).set(pathBytes);
      ctl[4] = pathBytes.length;
      ctl[3] = 1;
      shared = true;
    }
  } else {
    const ab = new ArrayBuffer(CAP * REC_BYTES);
    f64 = new Float64Array(ab);
    u32 = new Uint32Array(ab);
    u8 = new Uint8Array(ab);
    ctl = new Int32Array(16);
  }
  // ctl[1] is the number of records in the buffer.
  let recording = true;
  let ended = false;

  const executionAsyncId = ah.executionAsyncId;
  const triggerAsyncId = ah.triggerAsyncId;

  let lastTs = 0;
  let lastFlushTs = 0;

  // ctl[5] is 1 while this thread writes its buffer out: a thread that
  // takes over a worker's slot (rescueSlot) waits for it, and a worker
  // whose slot was taken over (ctl[3] no longer 1) writes nothing more.
  function flush() {
    const cnt = ctl[1];
    if (cnt === 0) return;
    if (shared) {
      Atomics.store(ctl, 5, 1);
      if (Atomics.load(ctl, 3) !== 1) {
        // Another thread took this slot over (the process is exiting): it
        // owns the buffer now; write nothing more, into it or the file.
        Atomics.store(ctl, 5, 0);
        recording = false;
        try { hook.disable(); } catch (e) { /* ignore */ }
        return;
      }
    }
    ctl[1] = 0;
    try {
      writeAll(u8, cnt * REC_BYTES);
      if (segmentBytes > 0 && streamBytes >= segmentBytes) rotateDue = true;
    } finally {
      if (shared) {
        Atomics.store(ctl, 5, 0);
        Atomics.notify(ctl, 5);
      }
    }
  }

  // ---- segments (record --max-size) --------------------------------------
  // Once a flush has filled the segment to segmentBytes, it opens the next
  // one (<stem>.<n>.ahs) and starts it with a header ("segment": n,
  // "openCallbacks": the async ids of the callbacks entered and not yet
  // left, outermost first, and "segmentTs") and again every string interned
  // so far and the sources and functions records (while they take at most
  // a quarter of a segment). Stores are written again the first time a
  // segment uses them (storeIdOf). So each segment can be read without the
  // ones before it once `ahtrace record` has deleted those; a reader that
  // has them takes the repeated definitions as the same ones. A flush that
  // fills the segment only marks it due: the next record (put, putQuick)
  // opens the new segment before it is written, with the buffer empty, so
  // the records of a segment all come after its header's state, and the
  // callback stack is updated after each before/after record is put. The
  // newest segment always holds the end record.
  let segment = 0;
  let rotateDue = false;
  const openCallbacks = [];
  let openDepth = 0;
  const kept = []; // [stringId, text, kind, name, a, b] of source and functions records
  let keptBytes = 0;
  function keepDefinition(stringId, text, kind, name, a, b) {
    if (segmentBytes === 0) return;
    const bytes = Buffer.byteLength(text);
    if (keptBytes + bytes > segmentBytes / 4) return;
    keptBytes += bytes;
    kept.push([stringId, text, kind, name, a, b]);
  }
  function rotate() {
    rotateDue = false;
    if (!recording) return;
    const next = segment + 1;
    const nfile = stem + '.' + next + '.ahs';
    const nfd = fs.openSync(nfile, 'wx');
    const old = fd;
    fd = nfd;
    file = nfile;
    segment = next;
    streamBytes = 0;
    try { fs.closeSync(old); } catch (e) { /* its records are written */ }
    if (shared) {
      const pathBytes = Buffer.from(file, 'utf8');
      if (pathBytes.length <= SLOT_HEAD - 64) {
        new Uint8Array(pool, bufOff - SLOT_HEAD + 64, pathBytes.length).set(pathBytes);
        ctl[4] = pathBytes.length;
      }
    }
    header.segment = next;
    header.openCallbacks = openCallbacks.slice(0, openDepth);
    header.segmentTs = lastTs;
    const parts = [headerBytes(header)];
    for (const [text, id] of strings) parts.push(stringRecord(id, text));
    for (const [sid, text, kind, name, a, b] of kept) {
      parts.push(stringRecord(sid, text));
      parts.push(plainRecord(kind, name, a, b, lastTs));
    }
    const all = Buffer.concat(parts);
    writeAll(all, all.length);
  }
  // A record written outside the buffer (a new segment's definitions, a
  // rescued worker's end): eid, tid, site and aux 0.
  function plainRecord(kind, name, a, b, ts) {
    const r = Buffer.alloc(REC_BYTES);
    r.writeUInt32LE(kind, 0);
    r.writeUInt32LE(name, 4);
    r.writeDoubleLE(a, 8);
    r.writeDoubleLE(b, 16);
    r.writeDoubleLE(ts, 40);
    return r;
  }
  function stringRecord(id, text) {
    const bytes = Buffer.from(text, 'utf8');
    const r = Buffer.alloc(REC_BYTES + Math.ceil(bytes.length / REC_BYTES) * REC_BYTES);
    r.writeUInt32LE(K_STRING, 0);
    r.writeUInt32LE(id, 4);
    r.writeDoubleLE(bytes.length, 8);
    bytes.copy(r, REC_BYTES);
    return r;
  }
  function enterCallback(asyncId) {
    openCallbacks[openDepth++] = asyncId;
  }
  function leaveCallback(asyncId) {
    for (let j = openDepth - 1; j >= 0; j--) {
      if (openCallbacks[j] === asyncId) { openDepth = j; return; }
    }
  }

  function closeStream() {
    if (shared) Atomics.compareExchange(ctl, 3, 1, 2);
    else ctl[3] = 2;
    fs.closeSync(fd);
  }

  // Ends the stream of a worker that can no longer end it itself: one
  // terminate()d (its 'exit' event, in the thread that created it), or one
  // still running when the process exits (node then stops it without
  // running its JS: the main thread does this at its own exit). Takes the
  // slot over (state 1 -> 2), waits for a flush in progress, and appends
  // the worker's unflushed records and a streamEnd (a = 1, the exit code a
  // terminated worker gets; b = 0), so that the stream ends cleanly.
  function rescueSlot(c, s) {
    if (Atomics.compareExchange(c, 3, 1, 2) !== 1) return;
    Atomics.wait(c, 5, 1, 200);
    // Not reset: a worker still running goes on appending after cnt (and
    // stops at its next flush); only [0, cnt) is taken.
    const cnt = Math.min(c[1], CAP);
    const wpath = Buffer.from(new Uint8Array(pool, s * SLOT_BYTES + 64, c[4])).toString('utf8');
    const bytes = new Uint8Array(cnt * REC_BYTES + REC_BYTES);
    bytes.set(new Uint8Array(pool, s * SLOT_BYTES + SLOT_HEAD, cnt * REC_BYTES));
    // Its time: the worker's last record's (its own clock), if any.
    const ts = cnt > 0 ? new DataView(bytes.buffer).getFloat64((cnt - 1) * REC_BYTES + 40, true) : 0;
    bytes.set(plainRecord(K_STREAM_END, 0, 1, 0, ts), cnt * REC_BYTES);
    const wfd = fs.openSync(wpath, 'a');
    try {
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(wfd, bytes, off, bytes.length - off);
    } finally {
      fs.closeSync(wfd);
    }
  }

  function rescueWorker(tid) {
    if (pool === null || !(tid > 0)) return;
    for (let s = 0; s < POOL_SLOTS; s++) {
      const c = new Int32Array(pool, s * SLOT_BYTES, 16);
      if (Atomics.load(c, 0) !== tid) continue;
      try {
        rescueSlot(c, s);
      } catch (e) {
        rawDebug('ahtrace: cannot save the records of terminated worker ' + tid + ': ' + describeStop(e, 'the stream of worker ' + tid));
        noteStop(e, tid);
      }
      Atomics.store(c, 3, 0);
      Atomics.store(c, 0, 0);
    }
  }

  // At the process's exit (main thread): every worker still recording.
  function rescueLiveWorkers() {
    if (pool === null || !isMainThread) return;
    for (let s = 0; s < POOL_SLOTS; s++) {
      const c = new Int32Array(pool, s * SLOT_BYTES, 16);
      if (Atomics.load(c, 0) === 0) continue;
      try {
        rescueSlot(c, s);
      } catch (e) {
        rawDebug('ahtrace: cannot save the records of worker ' + c[0] + ' at exit: ' + describeStop(e, 'the stream of worker ' + c[0]));
        noteStop(e, c[0]);
      }
    }
  }

  function put(kind, name, a, b, site, aux) {
    let i = ctl[1];
    if (i === CAP) { flush(); i = ctl[1]; if (i !== 0) return; } // not drained: the slot was taken over
    if (rotateDue) rotate();
    const f = i * 7;
    const u = f * 2;
    u32[u] = kind;
    u32[u + 1] = name;
    f64[f + 1] = a;
    f64[f + 2] = b;
    f64[f + 3] = executionAsyncId();
    f64[f + 4] = triggerAsyncId();
    const now = performance.now();
    f64[f + 5] = lastTs = now;
    u32[u + 12] = site;
    u32[u + 13] = aux;
    ctl[1] = i + 1;
    // Durability without a timer: a timer of ours would be an async resource
    // the program's own hooks see (before without init, an eid that is not
    // theirs) and would move its beforeExit. A busy program flushes here at
    // least every FLUSH_MS; an idle one keeps its tail in memory until the
    // next event, exit or a handled signal (lost only to SIGKILL or a crash).
    if (now - lastFlushTs >= FLUSH_MS) { lastFlushTs = now; flush(); }
  }

  // Same without reading the clock: ts repeats the last measured one.
  function putQuick(kind, name, a, b) {
    let i = ctl[1];
    if (i === CAP) { flush(); i = ctl[1]; if (i !== 0) return; } // not drained: the slot was taken over
    if (rotateDue) rotate();
    const f = i * 7;
    const u = f * 2;
    u32[u] = kind;
    u32[u + 1] = name;
    f64[f + 1] = a;
    f64[f + 2] = b;
    f64[f + 3] = executionAsyncId();
    f64[f + 4] = triggerAsyncId();
    f64[f + 5] = lastTs;
    u32[u + 12] = 0;
    u32[u + 13] = 0;
    ctl[1] = i + 1;
  }

  // Recording stops for good in this process or thread: a write failed
  // (disk full, quota, file size limit, I/O error) or the recorder hit a
  // bug. The program runs on unrecorded, so its own exit code stays the
  // program's; the line on stderr and the marker (noteStop) say the trace
  // is incomplete and why, so that record, stats, replay and check do not
  // blame a kill.
  function fail(e) {
    if (!recording) return;
    recording = false;
    try { hook.disable(); } catch (e2) { /* ignore */ }
    try { flush(); } catch (e2) { /* ignore: e says why already */ }
    try { closeStream(); } catch (e2) { /* ignore */ }
    rawDebug('ahtrace: ' + describeStop(e) + '; recording stopped in pid ' + process.pid + ' thread ' + threadId +
      ': the trace is INCOMPLETE');
    noteStop(e, threadId);
  }
  function describeStop(e, where) {
    const code = ioCodeOf(e);
    const target = where || file;
    return code ? ioText(code) + ' while writing ' + target : 'internal error (' + target + '): ' + errText(e);
  }
  function noteStop(e, tid) {
    const code = ioCodeOf(e);
    const stream = tid === threadId ? path.basename(file) : '';
    const why = code ? ioText(code) + ' while writing ' + (stream || 'the stream of thread ' + tid)
      : 'recorder internal error: ' + errText(e);
    noteFailure(dir, 'recording stopped: ' + why + '; what the process did after its last complete write is missing',
      code, tid, stream);
  }

  // ---- strings -----------------------------------------------------------
  const strings = new Map();
  let nextString = 1;

  function intern(s) {
    const id = strings.get(s);
    if (id !== undefined) return id;
    const nid = defineString(s);
    strings.set(s, nid);
    return nid;
  }

  // Writes a string record without remembering the string (store labels are
  // mostly unique: keeping them would grow memory with every request).
  // `reserve`: records the caller puts right after, which must land in the
  // same segment as the string (a store record and its label).
  function defineString(s, reserve) {
    const id = nextString++;
    if (!recording) return id;
    const bytes = Buffer.from(s, 'utf8');
    const len = bytes.length;
    const slots = Math.ceil(len / REC_BYTES);
    if (ctl[1] + 1 + slots + (reserve | 0) > CAP) {
      flush();
      if (ctl[1] !== 0) return id; // not drained: the slot was taken over
    }
    if (1 + slots > CAP) { // longer than the buffer: written directly, record and bytes at once
      flush();
      const whole = stringRecord(id, s);
      writeAll(whole, whole.length);
      return id;
    }
    putQuick(K_STRING, id, len, 0);
    const off = ctl[1] * REC_BYTES;
    u8.set(bytes, off);
    u8.fill(0, off + len, off + slots * REC_BYTES);
    ctl[1] += slots;
    return id;
  }

  // ---- creation sites ----------------------------------------------------
  const selfFile = __filename;
  const siteCache = new Map(); // file name -> Map(line * 2^21 + col -> id)
  let siteEnabled = stacks !== 'none';
  const siteAllInits = stacks === 'all';
  const siteInits = stacks !== 'als'; // `als`: sites for ALS calls and listeners only
  const initSiteDepth = siteAllInits ? INIT_SITE_DEPTH_ALL : INIT_SITE_DEPTH;
  const holder = {};
  let fileURLToPath = null;
  try { fileURLToPath = require('url').fileURLToPath; } catch (e) { /* ignore */ }

  // The first user frame's site id; also leaves in siteEnclosing the id of
  // "file:line:col" where the function holding that frame starts, and, when
  // wantCallers is set, in siteCallers the id of the next user frames
  // ("file:line:col@line:col" each, the part after @ being where their
  // function starts), newline-separated. The check command uses both to
  // tell callbacks defined inside request code from code that never was.
  let siteEnclosing = 0;
  let siteCallers = 0;
  let wantCallers = false;
  // Set by siteOf when the site and every caller it saw are library code
  // and the stack was cut by the depth limit: worth a deeper capture.
  let siteMissesApp = false;
  // Maps a column V8 reports in an instrumented file back to the original
  // text (set when the ownership instrumentation is on).
  let mapColumn = null;
  function columnOf(fn, line, col) { return mapColumn === null || line === 0 ? col : mapColumn(fn, line, col); }
  function frameName(fr, fn) {
    let name = fn;
    if (fileURLToPath !== null && fn.startsWith('file://')) {
      try { name = fileURLToPath(fn); } catch (e) { /* keep the URL */ }
    }
    return name;
  }
  // Async frames (V8's "at async f" entries) name code awaiting this one,
  // not callers: sites and callers stop at the first of them.
  function isAsyncFrame(fr) { return typeof fr.isAsync === 'function' && fr.isAsync(); }
  function siteOf(frames) {
    siteEnclosing = 0;
    siteCallers = 0;
    for (let i = 0; i < frames.length; i++) {
      const fr = frames[i];
      if (isAsyncFrame(fr)) return 0;
      const fn = fr.getFileName();
      if (!fn || fn === selfFile || fn.startsWith('node:')) continue;
      const f = frameOf(fr, fn);
      if (f.site === 0) {
        f.site = intern(f.text.slice(0, f.at));
        f.enclosing = f.start === '' ? 0 : intern(f.start);
      }
      siteEnclosing = f.enclosing;
      if (wantCallers) siteCallers = callersOf(frames, i + 1, !isLibraryFile(fn));
      return f.site;
    }
    return 0;
  }
  // What a frame is recorded as, once per file and position: `text` is
  // "file:line:col@line:col" (the part after @, at index `at`, being where
  // its function starts; 0:0 when unknown), `start` that function's
  // "file:line:col" ('' when unknown); site and enclosing are their string
  // ids once siteOf needed them. Positions are the code as written: V8's
  // column through columnOf (the ownership instrumentation), then through
  // the file's source map when it has one (originalOf). The first time a
  // frame names a file, its text goes into the trace (noteSource).
  function frameOf(fr, fn) {
    let m = siteCache.get(fn);
    if (m === undefined) { m = new Map(); siteCache.set(fn, m); }
    const line = fr.getLineNumber() || 0;
    const col = fr.getColumnNumber() || 0;
    const key = line * 2097152 + col;
    let f = m.get(key);
    if (f !== undefined) return f;
    const name = frameName(fr, fn);
    const eline = typeof fr.getEnclosingLineNumber === 'function' ? fr.getEnclosingLineNumber() || 0 : 0;
    const ecol = typeof fr.getEnclosingColumnNumber === 'function' ? fr.getEnclosingColumnNumber() || 0 : 0;
    let site = name + ':' + line + ':' + columnOf(fn, line, col);
    let file = name;
    let start = eline ? name + ':' + eline + ':' + columnOf(fn, eline, ecol) : '';
    const orig = sourceMapsOn && line !== 0 ? originalOf(fn, name, line, columnOf(fn, line, col)) : null;
    if (orig !== null) {
      file = orig[0];
      site = file + ':' + orig[1] + ':' + orig[2];
      start = '';
      if (eline === 1 && ecol === 1) {
        start = file + ':1:1'; // module scope (check knows it by 1:1)
      } else if (eline) {
        const s = originalOf(fn, name, eline, columnOf(fn, eline, ecol));
        // A function start the map does not place, or places in another
        // source than the frame (a bundle), is left unknown.
        if (s !== null && s[0] === file) start = file + ':' + s[1] + ':' + s[2];
      }
    }
    if (!sourcesSeen.has(file)) noteSource(file);
    const at = site.length;
    const text = site + '@' + (start === '' ? (orig === null ? eline + ':' + columnOf(fn, eline, ecol) : '0:0')
      : start.slice(file.length + 1));
    f = { text: text, at: at, start: start, site: 0, enclosing: 0 };
    m.set(key, f);
    return f;
  }
  // Up to MIN_CALLERS callers counted from the first frame of application
  // code (library frames before it are recorded but not counted).
  function callersOf(frames, from, sawApp) {
    let text = '';
    let n = 0;
    let counted = 0;
    let cut = true;
    for (let i = from; i < frames.length && n < MAX_CALLERS; i++) {
      if (counted >= MIN_CALLERS) { cut = false; break; }
      const fr = frames[i];
      if (isAsyncFrame(fr)) { cut = false; break; }
      const fn = fr.getFileName();
      if (!fn || fn === selfFile || fn.startsWith('node:')) continue;
      if (!isLibraryFile(fn)) sawApp = true;
      if (sawApp) counted++;
      if (n > 0) text += '\n';
      text += frameOf(fr, fn).text;
      n++;
    }
    siteMissesApp = counted < MIN_CALLERS && cut && n < MAX_CALLERS && frames.length === GET_STORE_SITE_DEPTH;
    return n === 0 ? 0 : intern(text);
  }
  // The frames of the latest getStore() capture, for the closure-ownership
  // check (noteExpectation); dropped right after.
  let siteFrames = null;
  function prepareSite(err, frames) {
    if (wantCallers) siteFrames = frames;
    return siteOf(frames);
  }

  // ---- program sources ------------------------------------------------------
  // The text of each file a recorded site or caller points into, read when
  // it is first named (so it is the code that ran) and written into the
  // stream: check takes its evidence from the trace alone, never from the
  // disk of the machine that reads it. Bounded: regular files up to the
  // reader's string limit, 64 MiB per stream; the rest is left out (check
  // then falls back to what the sites say). fs functions are the ones taken
  // at start, so a program that mocks fs does not see these reads.
  let sourceBudget = 64 << 20;
  const sourcesSeen = new Set();
  const openSync = fs.openSync, fstatSync = fs.fstatSync, readSync = fs.readSync, closeSync = fs.closeSync;
  function noteSource(name) {
    sourcesSeen.add(name);
    if (!recording || sourceBudget <= 0) return;
    const content = sourceContents.get(name);
    if (content !== undefined) { // the map's copy: the text that was compiled
      const buf = Buffer.from(content, 'utf8');
      if (buf.length <= MAX_SOURCE_BYTES && buf.length <= sourceBudget) writeSource(name, buf, buf.length);
      return;
    }
    const buf = readBounded(name, Math.min(MAX_SOURCE_BYTES, sourceBudget));
    if (buf !== null) writeSource(name, buf, buf.length);
  }
  function writeSource(name, buf, len) {
    sourceBudget -= len;
    const fileId = intern(name);
    const text = buf.toString('utf8', 0, len);
    const textId = defineString(text, 1);
    keepDefinition(textId, text, K_SOURCE, fileId, textId, len);
    putQuick(K_SOURCE, fileId, textId, len);
  }
  // A regular file's bytes when it is at most `max` bytes, else null.
  function readBounded(name, max) {
    if (name.charCodeAt(0) !== 47 /* '/' */) return null;
    let sfd = -1;
    try {
      sfd = openSync(name, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const st = fstatSync(sfd);
      if (!st.isFile() || st.size > max) return null;
      const buf = Buffer.allocUnsafe(st.size);
      let got = 0;
      while (got < st.size) {
        const n = readSync(sfd, buf, got, st.size - got, got);
        if (n <= 0) break;
        got += n;
      }
      return got === st.size ? buf : buf.subarray(0, got);
    } catch (e) {
      return null; // unreadable (permissions, removed): left out
    } finally {
      if (sfd >= 0) { try { closeSync(sfd); } catch (e) { /* ignore */ } }
    }
  }

  // ---- source maps ---------------------------------------------------------
  // Code compiled from TypeScript (tsc, esbuild, swc, tsx) carries a
  // `//# sourceMappingURL=` comment naming a .map file or holding the map
  // as a data: URL. When a frame's file has one, its sites are recorded at
  // the original source, line and column the map names, and that source's
  // text (the map's sourcesContent, else the file on disk) goes into the
  // trace instead of the JavaScript's: check, replay and graph then show
  // `app.ts:14:37`. Our own decoder, not module.findSourceMap(): that only
  // answers when node runs with --enable-source-maps, which would change
  // the program's own error stacks. Each file's map is read and decoded
  // once, when a frame first names the file (the same bounded reads as
  // noteSource, with the fs functions taken at start); a position is looked
  // up once (frameOf caches it). A file without a map, a map that does not
  // parse, and a position the map leaves unmapped keep the JavaScript's.
  const MAX_MAP_BYTES = 16 << 20;
  const sourceMapsOn = process.env.AHTRACE_SOURCE_MAPS !== '0';
  const sourceMaps = new Map();     // V8 file name -> { sources, lines } or null (no usable map)
  const sourceContents = new Map(); // original source name -> its text from a map's sourcesContent
  const jsonParse = JSON.parse;
  const B64 = new Int8Array(128).fill(-1);
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
    B64[c.charCodeAt(0)] = i;
  });

  // [source, line, column] (1-based) that position `line`:`col` (1-based,
  // of the text as written) of generated file `fn` came from, or null.
  // The segment that covers it is the last one on its line starting at or
  // before it; a position before a line's first segment takes that one
  // (V8 places a frame at its expression, the map at the statement start).
  function originalOf(fn, name, line, col) {
    let sm = sourceMaps.get(fn);
    if (sm === undefined) {
      sm = null;
      try { sm = loadSourceMap(name); } catch (e) { sm = null; }
      sourceMaps.set(fn, sm);
    }
    if (sm === null || line < 1 || line > sm.lines.length) return null;
    const segs = sm.lines[line - 1];
    if (segs === null) return null;
    const c = col - 1;
    let lo = 0, hi = (segs.length >> 2) - 1, at = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid << 2] <= c) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const src = segs[(at << 2) + 1];
    if (src < 0) return null;
    return [sm.sources[src], segs[(at << 2) + 2] + 1, segs[(at << 2) + 3] + 1];
  }

  function loadSourceMap(name) {
    const js = readBounded(name, MAX_MAP_BYTES);
    if (js === null) return null;
    const url = mappingUrlOf(js.toString('utf8'));
    if (url === null) return null;
    let json;
    let mapFile = name;
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      if (comma < 0) return null;
      const body = url.slice(comma + 1);
      json = /;base64$/i.test(url.slice(0, comma)) ? Buffer.from(body, 'base64').toString('utf8')
        : decodeURIComponent(body);
    } else {
      if (url.startsWith('file://')) mapFile = fileURLToPath === null ? '' : fileURLToPath(url);
      else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return null; // http: and the like: not read
      else mapFile = path.resolve(path.dirname(name), decodeURIComponent(url));
      const b = mapFile === '' ? null : readBounded(mapFile, MAX_MAP_BYTES);
      if (b === null) return null;
      json = b.toString('utf8');
    }
    return parseSourceMap(jsonParse(json), mapFile);
  }

  // The URL of the last `//# sourceMappingURL=` (or the older `//@`)
  // comment, when it is the file's last non-blank line; else null.
  function mappingUrlOf(text) {
    const at = text.lastIndexOf('sourceMappingURL=');
    if (at < 4) return null;
    const lineStart = text.lastIndexOf('\n', at) + 1;
    if (!/^\s*\/\/[#@]\s*$/.test(text.slice(lineStart, at))) return null;
    const m = /^[^\s'"]+/.exec(text.slice(at + 17, at + 17 + MAX_MAP_BYTES * 2));
    if (m === null) return null;
    if (text.slice(at + 17 + m[0].length).trim() !== '') return null;
    return m[0];
  }

  // A version 3 map (not an index map with `sections`): its sources as
  // absolute paths (resolved against sourceRoot and the map's directory;
  // a URL with another scheme, `webpack://app/x.ts`, is kept as it is)
  // and its mappings decoded.
  function parseSourceMap(map, mapFile) {
    if (map === null || typeof map !== 'object' || map.version !== 3 || typeof map.mappings !== 'string' ||
        !Array.isArray(map.sources)) return null;
    const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
    const sources = [];
    for (let i = 0; i < map.sources.length; i++) {
      const src = typeof map.sources[i] === 'string' ? map.sources[i] : '';
      let full = root !== '' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(src) && src.charCodeAt(0) !== 47
        ? root + (root.endsWith('/') ? '' : '/') + src : src;
      if (full.startsWith('file://') && fileURLToPath !== null) {
        try { full = fileURLToPath(full); } catch (e) { /* keep the URL */ }
      } else if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(full)) {
        full = path.resolve(path.dirname(mapFile), full);
      }
      sources.push(full);
      const content = Array.isArray(map.sourcesContent) ? map.sourcesContent[i] : null;
      if (typeof content === 'string' && !sourceContents.has(full)) sourceContents.set(full, content);
    }
    const lines = decodeMappings(map.mappings, sources.length);
    return lines === null ? null : { sources: sources, lines: lines };
  }

  // The `mappings` string (base64 VLQ, source map v3): per generated line,
  // null or an Int32Array of [generated column, source index, original
  // line, original column] per segment (0-based; source index -1 for a
  // one-field segment, which maps to nothing), sorted by generated column.
  // Null when the string is malformed (a bad digit, a cut-off or too long
  // number, a segment of 2, 3 or more than 5 fields, a negative position,
  // a source index out of range): the file's frames then keep their
  // JavaScript positions.
  function decodeMappings(s, nsources) {
    const lines = [];
    let seg = [];
    let gcol = 0, src = 0, sline = 0, scol = 0;
    const fields = [0, 0, 0, 0, 0];
    let nf = 0, value = 0, shift = 0, sorted = true;
    for (let i = 0; i <= s.length; i++) {
      const ch = i < s.length ? s.charCodeAt(i) : 59;
      if (ch === 44 /* , */ || ch === 59 /* ; */) {
        if (shift !== 0) return null;
        if (nf !== 0) {
          if (nf !== 1 && nf !== 4 && nf !== 5) return null;
          gcol += fields[0];
          if (gcol < 0) return null;
          if (seg.length > 0 && gcol < seg[seg.length - 4]) sorted = false;
          if (nf === 1) {
            seg.push(gcol, -1, 0, 0);
          } else {
            src += fields[1]; sline += fields[2]; scol += fields[3];
            if (src < 0 || src >= nsources || sline < 0 || scol < 0) return null;
            seg.push(gcol, src, sline, scol);
          }
          nf = 0;
        } else if (ch === 44) {
          return null; // an empty segment
        }
        if (ch === 59) {
          lines.push(seg.length === 0 ? null : sortedSegments(seg, sorted));
          seg = [];
          gcol = 0;
          sorted = true;
        }
        continue;
      }
      const d = ch < 128 ? B64[ch] : -1;
      if (d < 0 || nf === 5) return null;
      value += (d & 31) * (1 << shift);
      if (d & 32) {
        shift += 5;
        if (shift > 30) return null;
      } else {
        const mag = Math.floor(value / 2);
        fields[nf++] = value % 2 === 1 ? -mag : mag;
        value = 0;
        shift = 0;
      }
    }
    return lines;
  }
  function sortedSegments(seg, sorted) {
    if (!sorted) {
      const order = [];
      for (let k = 0; k < seg.length; k += 4) order.push(k);
      order.sort((a, b) => seg[a] - seg[b] || a - b);
      const out = [];
      for (const k of order) out.push(seg[k], seg[k + 1], seg[k + 2], seg[k + 3]);
      seg = out;
    }
    return Int32Array.from(seg);
  }

  function captureSite(above, depth) {
    const E = Error;
    const oldPrepare = E.prepareStackTrace;
    const oldLimit = E.stackTraceLimit;
    let id = 0;
    try {
      E.prepareStackTrace = prepareSite;
      E.stackTraceLimit = depth;
      E.captureStackTrace(holder, above);
      id = holder.stack;
    } catch (e) {
      siteEnabled = false; // Error frozen or similar: give up on sites
      rawDebug('ahtrace: cannot capture creation sites, disabled: ' + errText(e));
    } finally {
      try { E.prepareStackTrace = oldPrepare; E.stackTraceLimit = oldLimit; } catch (e) { /* ignore */ }
    }
    if (typeof id !== 'number') { siteEnclosing = 0; return 0; }
    return id;
  }

  // ---- hooks ------------------------------------------------------------

  let lastType = '';
  let lastTypeId = 0;

  // The creation site of a non-PROMISE init. `default` skips TickObject:
  // mostly node-internal (streams) and the most frequent init in I/O code
  // (see the numbers at the top). It also backs off per type: after 64
  // captures in a row that found no user frame (a type node creates for
  // itself here: accepted sockets, HTTP parsers' timers), it tries one init
  // in 16 until a capture finds a user frame again. On http_als this
  // skipped most of the init captures (bench/record_overhead.sh).
  const SITE_MISS_LIMIT = 64;
  const SITE_BACKOFF = 15;
  const siteMisses = new Map(); // type -> { misses, skip }
  function initSite(type) {
    if (!siteEnabled || !siteInits) return (siteEnclosing = 0);
    if (siteAllInits) return captureSite(init, initSiteDepth);
    if (type === 'TickObject') return (siteEnclosing = 0);
    let st = siteMisses.get(type);
    if (st === undefined) { st = { misses: 0, skip: 0 }; siteMisses.set(type, st); }
    if (st.skip > 0) { st.skip--; return (siteEnclosing = 0); }
    const id = captureSite(init, initSiteDepth);
    if (id !== 0) st.misses = 0;
    else if (++st.misses >= SITE_MISS_LIMIT) st.skip = SITE_BACKOFF;
    return id;
  }

  function init(asyncId, type, triggerId, resource) {
    try {
      if (type !== lastType) { lastTypeId = intern(String(type)); lastType = type; }
      if (type === 'PROMISE') {
        if (siteAllInits && siteEnabled) put(K_INIT, lastTypeId, asyncId, triggerId, captureSite(init, initSiteDepth), siteEnclosing);
        else if (fastClock) putQuick(K_INIT, lastTypeId, asyncId, triggerId);
        else put(K_INIT, lastTypeId, asyncId, triggerId, 0, 0);
      } else {
        put(K_INIT, lastTypeId, asyncId, triggerId, initSite(type), siteEnclosing);
        if (hooksThreadResources !== null && startingHooksThread) hooksThreadResources.add(asyncId);
      }
    } catch (e) { fail(e); }
  }
  function before(asyncId) {
    try {
      put(K_BEFORE, 0, asyncId, 0, 0, 0);
      if (segmentBytes > 0) enterCallback(asyncId);
    } catch (e) { fail(e); }
  }
  function after(asyncId) {
    try {
      put(K_AFTER, 0, asyncId, 0, 0, 0);
      if (segmentBytes > 0) leaveCallback(asyncId);
    } catch (e) { fail(e); }
  }
  function destroy(asyncId) {
    try {
      if (hooksThreadResources !== null) hooksThreadResources.delete(asyncId);
      if (fastClock) putQuick(K_DESTROY, 0, asyncId, 0);
      else put(K_DESTROY, 0, asyncId, 0, 0, 0);
    } catch (e) { fail(e); }
  }
  function promiseResolve(asyncId) {
    try {
      if (fastClock) putQuick(K_PROMISE_RESOLVE, 0, asyncId, 0);
      else put(K_PROMISE_RESOLVE, 0, asyncId, 0, 0, 0);
    } catch (e) { fail(e); }
  }
  const hook = ah.createHook({ init, before, after, destroy, promiseResolve });

  // ---- store identity and labels -----------------------------------------
  const objStores = new WeakMap();
  const primStores = new Map();
  let nextStore = 1;

  // The maps hold segment * 2^32 + id: a store is written again the first
  // time a later segment uses it (rotate()).
  const SEGMENT_UNIT = 4294967296;
  function storeIdOf(v) {
    if (v === undefined) return 0;
    const t = typeof v;
    const isObj = (t === 'object' && v !== null) || t === 'function';
    const known = isObj ? objStores.get(v) : primStores.get(v);
    let id;
    if (known !== undefined) {
      id = known % SEGMENT_UNIT;
      if (known - id === segment * SEGMENT_UNIT) return id;
    } else {
      id = nextStore++;
    }
    if (isObj) objStores.set(v, segment * SEGMENT_UNIT + id); else primStores.set(v, segment * SEGMENT_UNIT + id);
    let kind = 7;
    if (v === null) kind = 6;
    else if (t === 'object') kind = 1;
    else if (t === 'function') kind = 2;
    else if (t === 'string') kind = 3;
    else if (t === 'number') kind = 4;
    else if (t === 'boolean') kind = 5;
    let label;
    try { label = preview(v, 0); } catch (e) { label = '?'; }
    if (label.length > 80) label = label.slice(0, 79) + '\u2026';
    const lid = defineString(label, 1);
    put(K_STORE, lid, id, 0, 0, kind);
    return id;
  }

  // A util.inspect-like preview that reads own property descriptors only.
  const types = util.types;
  const gopd = Object.getOwnPropertyDescriptor;
  const getProto = Object.getPrototypeOf;
  const objectKeys = Object.keys;
  const fnToString = Function.prototype.toString;
  const dateToISO = Date.prototype.toISOString;
  const dateGetTime = Date.prototype.getTime;
  const regexpSource = gopd(RegExp.prototype, 'source').get;
  const mapSize = gopd(Map.prototype, 'size').get;
  const setSize = gopd(Set.prototype, 'size').get;
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const mapIterNext = getProto(new Map().entries()).next;
  const setIterNext = getProto(new Set().values()).next;
  const primOpts = { maxStringLength: 40, breakLength: Infinity };
  const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  function ctorName(o) {
    let p = o;
    for (let i = 0; i < 32 && p !== null; i++) {
      if (types.isProxy(p)) return 'Proxy';
      const d = gopd(p, 'constructor');
      if (d !== undefined && typeof d.value === 'function') {
        const nd = gopd(d.value, 'name');
        if (nd !== undefined && typeof nd.value === 'string' && nd.value !== '') return nd.value;
      }
      p = getProto(p);
    }
    return p === null && getProto(o) === null ? '[Object: null prototype]' : 'Object';
  }

  function dataValue(o, k) {
    const d = gopd(o, k);
    if (d === undefined) return { ok: false, text: '<empty>' };
    if (!('value' in d)) return { ok: false, text: d.get ? (d.set ? '[Getter/Setter]' : '[Getter]') : '[Setter]' };
    return { ok: true, value: d.value };
  }

  function preview(v, depth) {
    const t = typeof v;
    if (v === null || (t !== 'object' && t !== 'function')) return util.inspect(v, primOpts);
    if (types.isProxy(v)) return t === 'function' ? '[Function: Proxy]' : 'Proxy {}';
    if (t === 'function') {
      const nd = gopd(v, 'name');
      const name = nd !== undefined && typeof nd.value === 'string' ? nd.value : '';
      let src = '';
      try { src = fnToString.call(v).slice(0, 6); } catch (e) { /* ignore */ }
      if (src.startsWith('class') && !/[\w$]/.test(src[5] || '')) return '[class ' + (name || '(anonymous)') + ']';
      return name ? '[Function: ' + name + ']' : '[Function (anonymous)]';
    }
    const cn = ctorName(v);
    if (Array.isArray(v)) {
      if (depth > 1) return '[Array]';
      const ld = gopd(v, 'length');
      const len = ld ? ld.value : 0;
      const parts = [];
      const shown = Math.min(len, 5);
      for (let i = 0; i < shown; i++) {
        const r = dataValue(v, String(i));
        parts.push(r.ok ? preview(r.value, depth + 1) : r.text);
      }
      if (len > shown) parts.push('... ' + (len - shown) + ' more item' + (len - shown > 1 ? 's' : ''));
      const pre = cn === 'Array' ? '' : cn + '(' + len + ') ';
      return parts.length ? pre + '[ ' + parts.join(', ') + ' ]' : pre + '[]';
    }
    if (types.isDate(v)) {
      const tm = dateGetTime.call(v);
      return tm === tm ? dateToISO.call(v) : 'Invalid Date';
    }
    if (types.isRegExp(v)) return '/' + regexpSource.call(v) + '/';
    if (types.isNativeError(v)) {
      const r = dataValue(v, 'message');
      return '[' + cn + (r.ok && typeof r.value === 'string' && r.value ? ': ' + r.value.slice(0, 60) : '') + ']';
    }
    if (types.isMap(v) || types.isSet(v)) {
      const isMap = types.isMap(v);
      const size = isMap ? mapSize.call(v) : setSize.call(v);
      if (depth > 1) return '[' + cn + ']';
      const parts = [];
      const it = isMap ? mapEntries.call(v) : setValues.call(v);
      const next = isMap ? mapIterNext : setIterNext;
      for (let i = 0; i < 3 && i < size; i++) {
        const r = next.call(it);
        if (r.done) break;
        parts.push(isMap ? preview(r.value[0], depth + 1) + ' => ' + preview(r.value[1], depth + 1)
          : preview(r.value, depth + 1));
      }
      if (size > parts.length) parts.push('...');
      return cn + '(' + size + ') ' + (parts.length ? '{ ' + parts.join(', ') + ' }' : '{}');
    }
    if (types.isPromise(v)) return cn + ' {}';
    if (types.isBoxedPrimitive(v) || types.isAnyArrayBuffer(v) || types.isTypedArray(v) ||
        types.isWeakMap(v) || types.isWeakSet(v) || types.isModuleNamespaceObject(v)) return cn + ' {}';
    if (depth > 1) return cn === 'Object' ? '[Object]' : '[' + cn + ']';
    const keys = objectKeys(v);
    let out = '';
    const shown = Math.min(keys.length, 8);
    for (let i = 0; i < shown && out.length < 100; i++) {
      const k = keys[i];
      const r = dataValue(v, k);
      out += (i ? ', ' : '') + (IDENT.test(k) ? k : util.inspect(k, primOpts)) + ': ' +
        (r.ok ? preview(r.value, depth + 1) : r.text);
    }
    if (keys.length > shown) out += ', ...';
    const pre = cn === 'Object' ? '' : cn + ' ';
    return out ? pre + '{ ' + out + ' }' : pre + '{}';
  }

  // ---- AsyncLocalStorage ------------------------------------------------
  const storageIds = new WeakMap();
  const storageList = []; // every storage seen (they live as long as the program, as a rule)
  let nextStorage = 1;
  let alsDepth = 0; // > 0 while an original ALS method runs our code must not record

  // alsCreate's b is the store getStore() returns on the fresh storage: its
  // `defaultValue` on node 24+ (nothing can have set a store yet), else
  // undefined. Replay returns it wherever no store is set.
  function newStorage(s, site) {
    const id = nextStorage++;
    storageIds.set(s, id);
    storageList.push(s);
    const enclosing = site ? siteEnclosing : 0;
    let dflt;
    alsDepth++;
    try { dflt = Reflect.apply(OrigALS.prototype.getStore, s, []); } catch (e) { dflt = undefined; } finally { alsDepth--; }
    put(K_ALS_CREATE, 0, id, storeIdOf(dflt), site, enclosing);
    return id;
  }
  function storageIdOf(s) {
    const id = storageIds.get(s);
    return id !== undefined ? id : newStorage(s, 0);
  }

  // Set while node calls a callback whose context the program chose
  // explicitly (run(), exit(), runInAsyncScope(): bind() and snapshot() go
  // through it): the first instrumented closure entered is that callback,
  // and the store it runs with is not a hand-over (closureEntered).
  let explicitCallee = false;
  // Set by the ownership instrumentation below when node 20's module-hooks
  // thread is to be started, once our hook is on (end of start()).
  let registerHooksThread = null;
  // That thread's WORKER and MESSAGEPORTs, made by our register() call, live
  // until the process ends: they are the recorder's, not the program's, so
  // the stream ends them (a destroy each, before streamEnd) instead of
  // leaving them to read as the program's leaks.
  let hooksThreadResources = null;
  let startingHooksThread = false;

  // Runs the user's callback with recording of ALS calls re-enabled.
  function trampoline(cb, args) {
    const d = alsDepth;
    alsDepth = 0;
    explicitCallee = true;
    try {
      return Reflect.apply(cb, null, args);
    } finally {
      alsDepth = d;
      explicitCallee = false;
    }
  }

  if (typeof OrigALS === 'function') {
    const proto = OrigALS.prototype;
    const origRun = proto.run;
    const origEnterWith = proto.enterWith;
    const origExit = proto.exit;
    const origDisable = proto.disable;
    const origGetStore = proto.getStore;
    const origWithScope = proto.withScope;

    // enterWith(store) and withScope(store): an enterWith event (its site
    // is the first user frame below `above`), then the original method with
    // ALS recording off, so the calls it makes itself are not recorded.
    function recordEnterWith(self, store, orig, above, args) {
      if (alsDepth === 0 && recording) {
        try {
          put(K_ALS_ENTER_WITH, 0, storageIdOf(self), storeIdOf(store),
            siteEnabled ? captureSite(above, ALS_SITE_DEPTH) : (siteEnclosing = 0), siteEnclosing);
        } catch (e) { fail(e); }
      }
      alsDepth++;
      try {
        return Reflect.apply(orig, self, args);
      } finally {
        alsDepth--;
      }
    }

    const wrappers = {
      run(store, callback, ...args) {
        if (alsDepth !== 0 || !recording) return Reflect.apply(origRun, this, [store, callback].concat(args));
        let sid = 0;
        let st = 0;
        let ok = false;
        try {
          sid = storageIdOf(this);
          st = storeIdOf(store);
          put(K_ALS_RUN_BEGIN, 0, sid, st, siteEnabled ? captureSite(wrappers.run, ALS_SITE_DEPTH) : (siteEnclosing = 0), siteEnclosing);
          ok = true;
        } catch (e) { fail(e); }
        alsDepth++;
        try {
          return Reflect.apply(origRun, this, [store, trampoline, callback, args]);
        } finally {
          alsDepth--;
          if (ok && recording) {
            try { put(K_ALS_RUN_END, 0, sid, st, 0, 0); } catch (e) { fail(e); }
          }
        }
      },
      enterWith(store) {
        return recordEnterWith(this, store, origEnterWith, wrappers.enterWith, arguments);
      },
      exit(callback, ...args) {
        if (alsDepth !== 0 || !recording) return Reflect.apply(origExit, this, [callback].concat(args));
        let sid = 0;
        let ok = false;
        try {
          sid = storageIdOf(this);
          put(K_ALS_EXIT_BEGIN, 0, sid, 0, siteEnabled ? captureSite(wrappers.exit, ALS_SITE_DEPTH) : (siteEnclosing = 0), siteEnclosing);
          ok = true;
        } catch (e) { fail(e); }
        alsDepth++;
        try {
          return Reflect.apply(origExit, this, [trampoline, callback, args]);
        } finally {
          alsDepth--;
          if (ok && recording) {
            try { put(K_ALS_EXIT_END, 0, sid, 0, 0, 0); } catch (e) { fail(e); }
          }
        }
      },
      disable() {
        if (alsDepth === 0 && recording) {
          try {
            put(K_ALS_DISABLE, 0, storageIdOf(this), 0,
              siteEnabled ? captureSite(wrappers.disable, ALS_SITE_DEPTH) : (siteEnclosing = 0), siteEnclosing);
          } catch (e) { fail(e); }
        }
        alsDepth++;
        try {
          return Reflect.apply(origDisable, this, arguments);
        } finally {
          alsDepth--;
        }
      },
      getStore() {
        if (alsDepth !== 0 || !recording) return Reflect.apply(origGetStore, this, arguments);
        alsDepth++;
        let v;
        try {
          v = Reflect.apply(origGetStore, this, arguments);
        } finally {
          alsDepth--;
        }
        try {
          const sid = storageIdOf(this);
          const st = storeIdOf(v);
          let site = 0;
          siteEnclosing = 0;
          siteCallers = 0;
          if (siteEnabled) {
            wantCallers = true;
            siteMissesApp = false;
            site = captureSite(wrappers.getStore, GET_STORE_SITE_DEPTH);
            if (siteMissesApp) site = captureSite(wrappers.getStore, GET_STORE_SITE_DEPTH_LIBRARY);
            wantCallers = false;
            const frames = siteFrames;
            siteFrames = null;
            const callers = siteCallers, enclosing = siteEnclosing;
            noteExpectation(frames, this, sid, v);
            siteCallers = callers;
            siteEnclosing = enclosing;
          }
          put(K_ALS_GET_STORE, siteCallers, sid, st, site, siteEnclosing);
        } catch (e) { fail(e); }
        return v;
      },
      // withScope(store) (node 24+) is `enterWith(store)` now and, when the
      // returned scope is disposed, `enterWith(previous)`: recorded as those
      // two enterWith events (the dispose goes through the wrapped
      // enterWith), not as the getStore() node makes inside it.
      withScope(store) {
        return recordEnterWith(this, store, origWithScope, wrappers.withScope, arguments);
      },
    };
    const names = ['run', 'enterWith', 'exit', 'disable', 'getStore', 'withScope'];
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (typeof proto[name] !== 'function') continue;
      const d = gopd(proto, name);
      Object.defineProperty(proto, name, {
        value: wrappers[name],
        writable: d ? d.writable : true,
        enumerable: d ? d.enumerable : false,
        configurable: true,
      });
    }

    class AsyncLocalStorage extends OrigALS {
      constructor(...args) {
        super(...args);
        if (recording && storageIds.get(this) === undefined) {
          try {
            newStorage(this, siteEnabled ? captureSite(AsyncLocalStorage, ALS_SITE_DEPTH) : (siteEnclosing = 0));
          } catch (e) { fail(e); }
        }
      }
    }
    // Node 22+ exports AsyncLocalStorage through a getter (it picks the
    // implementation lazily): assigning to it throws, so redefine it.
    Object.defineProperty(ah, 'AsyncLocalStorage', {
      value: AsyncLocalStorage, writable: true, enumerable: true, configurable: true,
    });
    try { require('module').syncBuiltinESMExports(); } catch (e) { /* ESM keeps the original */ }

    // ---- EventEmitter listeners -----------------------------------------
    // A listener registered while a store is current, then invoked from
    // another context, is the most common way a store goes missing or
    // turns into another request's. Recorded: listenerAdd when some storage
    // has a store at registration (a = emitter, b = listener, name = event),
    // and emitBegin/emitEnd around emits of those (emitter, event) pairs
    // only, so emitters nobody registered on under a store cost one
    // WeakMap lookup per emit.
    const EE = require('events');
    const eeProto = EE.prototype;
    const origOn = eeProto.on;
    const origPrepend = eeProto.prependListener;
    const origEmit = eeProto.emit;
    const origListenerCount = eeProto.listenerCount;
    const objectIds = new WeakMap();
    let nextObject = 1;
    const tracked = new WeakMap(); // emitter -> Set of event names
    function objectId(o) {
      let id = objectIds.get(o);
      if (id === undefined) { id = nextObject++; objectIds.set(o, id); }
      return id;
    }
    function eventName(type) {
      return typeof type === 'symbol' ? String(type) : String(type);
    }
    function anyStore() {
      alsDepth++;
      try {
        for (let i = 0; i < storageList.length; i++) {
          if (Reflect.apply(origGetStore, storageList[i], []) !== undefined) return true;
        }
      } finally {
        alsDepth--;
      }
      return false;
    }
    function noteListener(emitter, type, listener, above) {
      if (alsDepth !== 0 || !recording || storageList.length === 0 || typeof listener !== 'function') return;
      try {
        if (!anyStore()) return;
        const fn = typeof listener.listener === 'function' ? listener.listener : listener; // once() wrappers
        let names = tracked.get(emitter);
        if (names === undefined) { names = new Set(); tracked.set(emitter, names); }
        names.add(type);
        put(K_LISTENER_ADD, intern(eventName(type)), objectId(emitter), objectId(fn),
          siteEnabled ? captureSite(above, ALS_SITE_DEPTH + 2) : (siteEnclosing = 0), siteEnclosing);
      } catch (e) { fail(e); }
    }
    const on = function on(type, listener) {
      noteListener(this, type, listener, on);
      return Reflect.apply(origOn, this, arguments);
    };
    const prependListener = function prependListener(type, listener) {
      noteListener(this, type, listener, prependListener);
      return Reflect.apply(origPrepend, this, arguments);
    };
    const emit = function emit(type) {
      const names = tracked.get(this);
      if (names === undefined || !recording || !names.has(type)) return Reflect.apply(origEmit, this, arguments);
      let id = 0;
      try {
        id = objectId(this);
        put(K_EMIT_BEGIN, intern(eventName(type)), id, Reflect.apply(origListenerCount, this, [type]), 0, 0);
      } catch (e) { fail(e); }
      try {
        return Reflect.apply(origEmit, this, arguments);
      } finally {
        if (recording) {
          try { put(K_EMIT_END, 0, id, 0, 0, 0); } catch (e) { fail(e); }
        }
      }
    };
    for (const [name, fn] of [['on', on], ['addListener', on], ['prependListener', prependListener], ['emit', emit]]) {
      const d = gopd(eeProto, name);
      Object.defineProperty(eeProto, name, {
        value: fn,
        writable: d ? d.writable : true,
        enumerable: d ? d.enumerable : false,
        configurable: true,
      });
    }

    // ---- closure ownership (the wrong-store rule) -------------------------
    // A read can return a store that is defined and still wrong: a callback
    // that request B created and handed to a queue, a pool or a batch runs
    // later in request A's callback and reads A's store. The trace cannot
    // tell that from the read alone, so the program's own modules (never
    // node_modules) are instrumented at load, the way coverage tools do:
    //  - a function that contains closures takes a snapshot of the stores at
    //    entry:            var __ahtS<d> = __aht.s();
    //  - a closure, on entry, looks at the snapshot of the activation that
    //    created it:       var __ahtE<d> = __aht.i(__ahtS<d-1>, fid);
    //    and again after each of its awaits: __aht.w(await x, __ahtE<d>).
    //  - an object literal passed to a call inside a function remembers the
    //    stores it was made under:  queue.push(__aht.o({ id }, oid), cb)
    //  - a function of the module's top level (no creator to belong to)
    //    looks at its first argument instead:  var __ahtE1 = __aht.a(task, fid);
    //    so a queue's worker handed request B's task belongs to B.
    // A closure called in the callback that created it (array callbacks,
    // run()'s own callback) hands nothing over and costs one comparison. A
    // closure called from another callback becomes the expectation for reads
    // in that callback while it is on the stack; a read whose store differs
    // from it writes an alsExpect record (storage, the expected store, the
    // closure's definition and the frame that called it) just before the
    // alsGetStore record. Insertions never add a line; columns are mapped
    // back to the original text, so sites point at the code as written.
    const ownership = {
      s: snapshotStores, i: closureEntered, w: closureResumed, a: argumentEntered, o: handOver, m: moduleTables,
    };
    if (parser !== null) Object.defineProperty(globalThis, Symbol.for('ahtrace.ownership'), { value: ownership });
    const instrumented = new Map(); // V8's file name -> { shifts: Map(line -> [[col0, len]]) }
    const fidSites = [0];             // fid -> string id of the closure's "file:line:col", 0 until needed
    const fidStarts = [''];           // fid -> "file:line:col" (original coordinates)
    const fidByV8Start = new Map(); // file -> Map(transformed "line:col" V8 reports as the function's start -> fid)
    const fidLearned = [false];
    const expectToken = [];         // fid -> the entry token of its latest activation from another callback
    const expectEid = [];           // fid -> the executionAsyncId() that activation ran in
    const homeSnapshot = [];        // fid -> a snapshot whose closure ran with its own store (a shared object)
    const handedObjects = new WeakMap(); // object literal passed to a call -> the snapshot it was made under
    const handOverSites = [''];     // oid -> "file:line:col" of such an object literal (original coordinates)
    const handOverSiteIds = [0];    // oid -> its string id, 0 until needed
    let expectations = 0;
    let nextSnapshot = 1;
    // The latest activation from another callback (a token) and the callback
    // it ran in: code created while it runs belongs to its owner too.
    let lastToken = null;
    let lastTokenEid = -1;

    function snapshotStores() {
      const n = storageList.length;
      if (n === 0 || !recording) return null;
      let stores = null;
      alsDepth++;
      try {
        for (let k = 0; k < n; k++) {
          const v = Reflect.apply(origGetStore, storageList[k], []);
          if (v !== undefined) {
            if (stores === null) stores = new Array(n);
            stores[k] = v;
          }
        }
      } finally {
        alsDepth--;
      }
      const eid = executionAsyncId();
      if (lastToken !== null && lastTokenEid === eid) stores = ownerStores(stores, n);
      return stores === null ? null : { id: nextSnapshot++, eid: eid, stores: stores };
    }
    // Code that a queue ran for another request (a closure, or a function
    // handed that request's object) creates closures and objects for that
    // request, not for the callback it happens to run in: p-queue runs B's
    // job from A's callback, and the timer B's job sets must count as B's.
    // So while that activation is on the stack, snapshots take its owner's
    // stores where they differ from the current ones.
    function ownerStores(stores, n) {
      const owner = lastToken.snapshot;
      if (homeSnapshot[lastToken.fid] === owner) return stores;
      // Only where another store is current: code that runs with none (a
      // worker that serves no request, by design) hands nothing on.
      if (stores === null) return stores;
      let differs = false;
      for (let k = 0; k < n && !differs; k++) {
        const want = owner.stores[k];
        differs = want !== undefined && stores[k] !== undefined && want !== stores[k];
      }
      if (!differs) return stores;
      if (!fidOnStack(lastToken.fid)) { lastToken = null; return stores; } // it has returned
      const merged = new Array(n);
      for (let k = 0; k < n; k++) {
        const want = owner.stores[k];
        merged[k] = want !== undefined && stores[k] !== undefined ? want : stores[k];
      }
      return merged;
    }
    function closureEntered(snapshot, fid) {
      if (explicitCallee) { explicitCallee = false; return null; }
      if (snapshot === null) return null;
      const eid = executionAsyncId();
      if (eid === snapshot.eid) { homeSnapshot[fid] = snapshot; return null; }
      return expect(snapshot, fid, eid);
    }
    // A function of the module's top level (no creator to own it) entered
    // with an object literal that another callback passed to a call under a
    // store: `queue.push({ id }, cb)` in request B, the worker later called
    // with it by the queue library from request A's callback. The object's
    // snapshot is the expectation, the way a closure's creation snapshot
    // is. Only when a library (node_modules, or node's own, like a
    // Writable's buffered _write) calls the function: the program's own
    // code passing an object that another request made (an entry of a
    // shared cache) runs for the request that passes it.
    function argumentEntered(arg, fid) {
      if (explicitCallee) { explicitCallee = false; return null; }
      if (arg === null || typeof arg !== 'object') return null;
      const snapshot = handedObjects.get(arg);
      if (snapshot === undefined) return null;
      const eid = executionAsyncId();
      if (eid === snapshot.eid) return null;
      const caller = callSites(argumentEntered, 2)[1];
      const file = caller ? caller.getFileName() : null;
      if (!file || !(isLibraryFile(file) || file.startsWith('node:'))) return null;
      // An emit runs its listeners for whoever emits (the listener-context
      // rule's business), whatever object it passes along.
      if (file === 'node:events' || file === 'node:internal/event_target') return null;
      return expect(snapshot, fid, eid);
    }
    function expect(snapshot, fid, eid) {
      const token = { snapshot: snapshot, fid: fid };
      activate(token, eid);
      expectations++;
      if (!fidLearned[fid]) learnV8Start(fid);
      return token;
    }
    // The token's closure now runs (again) in callback `eid`.
    function activate(token, eid) {
      expectToken[token.fid] = token;
      expectEid[token.fid] = eid;
      lastToken = token;
      lastTokenEid = eid;
    }
    // An instrumented module's header, as it starts to run: its functions
    // and object literals get the numbers from the returned base on (one
    // base for both tables), its insertions map V8's columns back.
    function moduleTables(t) {
      const base = Math.max(fidStarts.length, handOverSites.length);
      while (fidStarts.length < base) { fidStarts.push(''); fidSites.push(0); fidLearned.push(false); }
      while (handOverSites.length < base) { handOverSites.push(''); handOverSiteIds.push(0); }
      for (const start of t.s) { fidStarts.push(start); fidSites.push(0); fidLearned.push(false); }
      for (const site of t.o) { handOverSites.push(site); handOverSiteIds.push(0); }
      const shifts = new Map();
      for (const [line, col, len] of t.h) {
        let list = shifts.get(line);
        if (list === undefined) { list = []; shifts.set(line, list); }
        list.push([col, len]);
      }
      instrumented.set(t.f, { shifts: shifts });
      return base;
    }
    function handOver(obj, oid) {
      if (obj !== null && typeof obj === 'object' && storageList.length !== 0 && recording) {
        const snapshot = snapshotStores();
        if (snapshot !== null) {
          snapshot.oid = oid;
          handedObjects.set(obj, snapshot);
        }
      }
      return obj;
    }
    function closureResumed(value, token) {
      if (token !== null) activate(token, executionAsyncId());
      return value;
    }
    // V8's call sites of the stack above `above`, at most `limit` of them
    // ([] when the stack cannot be read).
    function callSites(above, limit) {
      const E = Error;
      const oldPrepare = E.prepareStackTrace;
      const oldLimit = E.stackTraceLimit;
      try {
        E.stackTraceLimit = limit;
        E.prepareStackTrace = (err, frames) => frames;
        const probe = {};
        E.captureStackTrace(probe, above);
        return Array.isArray(probe.stack) ? probe.stack : [];
      } catch (e) {
        return [];
      } finally {
        try { E.prepareStackTrace = oldPrepare; E.stackTraceLimit = oldLimit; } catch (e) { /* ignore */ }
      }
    }
    // Which function V8 says a frame is in comes as the position it reports
    // for the function's start: learned once per closure, from its own frame
    // (the caller of closureEntered, argumentEntered or closureResumed).
    function learnV8Start(fid) {
      fidLearned[fid] = true;
      const fr = callSites(expect, 2)[1];
      if (!fr) return; // no frame: this closure stays unknown to reads
      const file = fr.getFileName();
      const start = v8Start(fr);
      if (!file || start === '') return;
      let m = fidByV8Start.get(file);
      if (m === undefined) { m = new Map(); fidByV8Start.set(file, m); }
      m.set(start, fid);
    }
    function v8Start(fr) {
      const eline = typeof fr.getEnclosingLineNumber === 'function' ? fr.getEnclosingLineNumber() : 0;
      const ecol = typeof fr.getEnclosingColumnNumber === 'function' ? fr.getEnclosingColumnNumber() : 0;
      return eline ? eline + ':' + ecol : '';
    }
    // The instrumented function a frame is in (learned ones only), or undefined.
    function fidOfFrame(fr) {
      const file = fr.getFileName();
      const m = file ? fidByV8Start.get(file) : undefined;
      return m === undefined ? undefined : m.get(v8Start(fr));
    }
    // Is an activation of closure `fid` on the stack now?
    function fidOnStack(fid) {
      const frames = callSites(fidOnStack, 64);
      for (let f = 0; f < frames.length; f++) if (fidOfFrame(frames[f]) === fid) return true;
      return false;
    }

    // Called by the getStore() wrapper with the frames of the read: the
    // innermost instrumented closure on the stack whose latest activation
    // from another callback is this callback. Writes alsExpect when it was
    // created under another store than `value` for this storage.
    function noteExpectation(frames, storage, sid, value) {
      if (expectations === 0 || frames === null) return;
      const eid = executionAsyncId();
      const k = storageList.indexOf(storage);
      if (k < 0) return;
      for (let f = 0; f < frames.length; f++) {
        const fid = fidOfFrame(frames[f]);
        if (fid === undefined || expectEid[fid] !== eid) continue;
        const snapshot = expectToken[fid].snapshot;
        const expected = snapshot.stores[k];
        if (expected === undefined) return;        // created outside this storage's stores: no claim
        if (expected === value) { homeSnapshot[fid] = snapshot; return; }
        if (homeSnapshot[fid] === snapshot) return; // a shared object its creator used too
        // A function handed a request's object but running with no store
        // may serve no request by design (a job runner that enters each
        // job's snapshot): only another request's store is a claim.
        if (snapshot.oid !== undefined && value === undefined) return;
        if (fidSites[fid] === 0) fidSites[fid] = intern(writtenSite(fidStarts[fid]));
        if (snapshot.oid === undefined) {
          put(K_ALS_EXPECT, schedulerOf(frames, f), sid, storeIdOf(expected), fidSites[fid], 0);
        } else { // handed over as data: site = the object literal, aux = the function it reached
          const oid = snapshot.oid;
          if (handOverSiteIds[oid] === 0) handOverSiteIds[oid] = intern(writtenSite(handOverSites[oid]));
          put(K_ALS_EXPECT, schedulerOf(frames, f), sid, storeIdOf(expected), handOverSiteIds[oid], fidSites[fid]);
        }
        return;
      }
    }
    // The code that called the closure (the queue, pool, batch or emitter
    // that ran it): the first frame below it outside node's internals.
    function schedulerOf(frames, f) {
      for (let g = f + 1; g < frames.length; g++) {
        const fr = frames[g];
        if (isAsyncFrame(fr)) return 0;
        const fn = fr.getFileName();
        if (!fn || fn === selfFile || fn.startsWith('node:')) continue;
        const at = frameOf(fr, fn);
        return intern(at.text.slice(0, at.at));
      }
      return 0;
    }
    // "file:line:col" of the instrumented JavaScript as the author wrote
    // it: through the file's source map when it has one (TypeScript).
    function writtenSite(jsSite) {
      if (!sourceMapsOn) return jsSite;
      const m = /^(.*):(\d+):(\d+)$/.exec(jsSite);
      if (m === null) return jsSite;
      const orig = originalOf(m[1], m[1], Number(m[2]), Number(m[3]));
      return orig === null ? jsSite : orig[0] + ':' + orig[1] + ':' + orig[2];
    }
    function originalColumnOf(file, line, col) {
      const entry = instrumented.get(file);
      return entry === undefined ? col : originalColumn(entry, line, col);
    }
    // V8's column on a line we inserted into, back in the original text.
    function originalColumn(entry, line, col) {
      const list = entry.shifts.get(line);
      if (list === undefined) return col;
      let shift = 0;
      for (let j = 0; j < list.length; j++) {
        const at = list[j][0] + shift + 1; // 1-based column where this insertion starts
        if (col >= at + list[j][1]) { shift += list[j][1]; continue; }
        if (col >= at) return list[j][0] + 1;
        break;
      }
      return col - shift;
    }

    // ---- the parser's view of the code (functions records) -----------------
    // check asks two questions of a program file: is the function V8 says
    // starts at P written inside the body of the function starting at Q, and
    // inside the argument list of the call at R (run()'s callback)? A brace
    // counter over the text gets regular expressions, `${...}` in templates
    // and the like wrong; acorn, already parsing each module here, does not.
    // So every parsed file gets one functions record (kind 19): name = the
    // file, a = the string id of its extents, b = how many. The extents are
    // in the coordinates of the text as written and in V8's terms (1-based
    // lines and UTF-16 columns, a function's start where V8's
    // getEnclosingLineNumber/ColumnNumber put it: docs/recorder.md), ';'
    // separated entries of a letter and six integers:
    //   f<start line>,<start col>,<body line>,<body col>,<end line>,<end col>
    //     a function: its V8 start, its body's first character ('{' or the
    //     expression of an arrow) and the position just past the body;
    //   c<at line>,<at col>,<'(' line>,<'(' col>,<')' line>,<')' col>
    //     a call or `new` with a function written in its arguments: the
    //     position V8 reports for the call, and its argument list.
    // Bounded: a file whose extents pass MAX_EXTENTS_BYTES gets no record
    // (check falls back to its scanner there), FUNCTIONS_BUDGET per stream.
    const MAX_EXTENTS_BYTES = 512 << 10;
    let functionsBudget = 16 << 20;
    const functionsNoted = new Set(); // a module compiled again (a cleared require.cache) is written once
    function noteFunctions(ast, content, filename) {
      if (!recording || functionsBudget <= 0 || functionsNoted.has(filename)) return;
      functionsNoted.add(filename);
      const starts = [0];
      const breaks = /\r\n?|\n|\u2028|\u2029/g;
      for (let m = breaks.exec(content); m !== null; m = breaks.exec(content)) starts.push(m.index + m[0].length);
      function at(off) {
        let lo = 0, hi = starts.length - 1;
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= off) lo = mid; else hi = mid - 1; }
        return (lo + 1) + ',' + (off - starts[lo] + 1);
      }
      // The first character at or after `off` that is not blank or comment
      // (and not `?.`, before an optional call's '(').
      function skipBlank(off, optional) {
        for (;;) {
          const ch = content.charCodeAt(off);
          if (ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 11 || ch === 12 || ch === 0xa0 ||
              ch === 0x2028 || ch === 0x2029 || ch === 0xfeff) { off++; continue; }
          if (ch === 47 && content.charCodeAt(off + 1) === 42) {
            const e = content.indexOf('*/', off + 2);
            if (e < 0) return -1;
            off = e + 2;
            continue;
          }
          if (ch === 47 && content.charCodeAt(off + 1) === 47) {
            breaks.lastIndex = off;
            const m = breaks.exec(content);
            if (m === null) return -1;
            off = m.index;
            continue;
          }
          if (optional && ch === 63 && content.charCodeAt(off + 1) === 46) { off += 2; continue; }
          return off;
        }
      }
      // Where V8 puts a function's start: the start of the method (with its
      // `async`, `*`, `get`, `[`) for methods and accessors, but after a
      // class method's `static`; the function or arrow itself otherwise.
      function v8Start(node, parent) {
        if (parent !== null && parent.value === node &&
            (parent.type === 'MethodDefinition' || (parent.type === 'Property' && (parent.method || parent.kind !== 'init')))) {
          if (parent.type === 'MethodDefinition' && parent.static) return skipBlank(parent.start + 6, false);
          return parent.start;
        }
        return node.start;
      }
      // Where V8 reports a call: `new`'s start; the property name of
      // `a.b(...)` and `a?.b(...)`; the name of `f(...)`; else its '('.
      function callAt(node, open) {
        if (node.type === 'NewExpression') return node.start;
        if (node.optional) return open;
        const callee = node.callee;
        if (callee.type === 'MemberExpression' && !callee.computed) return callee.property.start;
        if (callee.type === 'Identifier') return callee.start;
        return open;
      }
      const out = [];
      let bytes = 0;
      function add(entry) {
        out.push(entry);
        bytes += entry.length + 1;
      }
      // Returns whether the subtree holds a function.
      function walk(node, parent) {
        if (node === null || typeof node !== 'object' || bytes > MAX_EXTENTS_BYTES) return false;
        if (Array.isArray(node)) {
          let has = false;
          for (const n of node) has = walk(n, parent) || has;
          return has;
        }
        if (typeof node.type !== 'string') return false;
        const t = node.type;
        if (t === 'FunctionExpression' || t === 'ArrowFunctionExpression' || t === 'FunctionDeclaration' ||
            t === 'StaticBlock') {
          const s = t === 'StaticBlock' ? node.start : v8Start(node, parent);
          const body = t === 'StaticBlock' ? node : node.body;
          if (s >= 0) add('f' + at(s) + ',' + at(body.start) + ',' + at(body.end));
          walk(node.params, node);
          walk(node.body, node);
          return true;
        }
        if (t === 'CallExpression' || t === 'NewExpression') {
          const calleeHas = walk(node.callee, node);
          const slot = out.length;
          const argsHave = walk(node.arguments, node);
          if (argsHave && node.end > 0 && content.charCodeAt(node.end - 1) === 41 /* ')' */) {
            const open = skipBlank(node.callee.end, true);
            if (open >= 0 && content.charCodeAt(open) === 40 /* '(' */) {
              const entry = 'c' + at(callAt(node, open)) + ',' + at(open) + ',' + at(node.end - 1);
              out.splice(slot, 0, entry); // before the functions it holds: ordered by position
              bytes += entry.length + 1;
            }
          }
          return calleeHas || argsHave;
        }
        let has = false;
        for (const key in node) {
          if (key === 'loc' || key === 'type' || key === 'start' || key === 'end') continue;
          const v = node[key];
          if (v !== null && typeof v === 'object') has = walk(v, node) || has;
        }
        return has;
      }
      walk(ast.body, null);
      if (out.length === 0 || bytes > MAX_EXTENTS_BYTES || bytes > functionsBudget) return;
      functionsBudget -= bytes;
      const text = out.join(';');
      const fileId = intern(filename);
      const textId = defineString(text, 1);
      keepDefinition(textId, text, K_FUNCTIONS, fileId, textId, out.length);
      putQuick(K_FUNCTIONS, fileId, textId, out.length);
    }

    // Node 20's hooks thread talks to this one through a MessagePort, whose
    // messages are callbacks the program's own hooks see. So it is started
    // only for a program whose entry is an ES module (a CommonJS program's
    // later import() of one is not instrumented there), and after our hook
    // is on, so that its resources' inits are in the trace.
    function entryIsEsModule() {
      const entry = process.argv[1];
      if (typeof entry !== 'string' || entry === '') return false;
      if (/\.mjs$/.test(entry)) return true;
      if (!/\.js$/.test(entry)) return false;
      const path = require('path');
      for (let dir = path.dirname(path.resolve(entry)); ; dir = path.dirname(dir)) {
        const pkg = readBounded(path.join(dir, 'package.json'), 1 << 20);
        if (pkg !== null) {
          try { return JSON.parse(pkg.toString('utf8')).type === 'module'; } catch (e) { return false; }
        }
        if (path.dirname(dir) === dir) return false;
      }
    }

    if (parser !== null) {
      mapColumn = originalColumnOf;
      const AR = ah.AsyncResource;
      const origRunInScope = AR && AR.prototype.runInAsyncScope;
      if (typeof origRunInScope === 'function') {
        AR.prototype.runInAsyncScope = function runInAsyncScope(fn, thisArg, ...args) {
          explicitCallee = true;
          try {
            return Reflect.apply(origRunInScope, this, arguments);
          } finally {
            explicitCallee = false;
          }
        };
      }
      const Module = require('module');
      const origCompile = Module.prototype._compile;
      Module.prototype._compile = function _compile(content, filename) {
        let code = content;
        if (recording && typeof content === 'string' && typeof filename === 'string' &&
            filename.charCodeAt(0) === 47 /* '/' */ && !isLibraryFile(filename) &&
            filename !== selfFile && content.length <= MAX_SOURCE_BYTES && /\.c?js$/.test(filename)) {
          try {
            const out = instrumentSource(parser, content, filename, filename, 'script',
              (ast) => noteFunctions(ast, content, filename));
            if (out !== null) code = out;
          } catch (e) {
            code = content;
          }
        }
        const args = Array.prototype.slice.call(arguments);
        args[0] = code;
        return Reflect.apply(origCompile, this, args);
      };
      // ES modules: node 22+ runs module hooks on this thread
      // (registerHooks); node 20 only on its hooks thread (register), where
      // this file runs again, sees AHTRACE_ESM_HOOKS and only instruments
      // (see the top of this file). register() is deprecated from 26 (it
      // warns), so it is the fallback.
      if (typeof Module.registerHooks === 'function') {
        Module.registerHooks({
          load(url, context, nextLoad) {
            const result = nextLoad(url, context);
            if (!recording) return result;
            return esmInstrumented(parser, result, url, noteFunctions);
          },
        });
      } else if (typeof Module.register === 'function' && isMainThread && entryIsEsModule()) {
        registerHooksThread = () => {
          process.env.AHTRACE_ESM_HOOKS = '1';
          hooksThreadResources = new Set();
          startingHooksThread = true;
          try {
            Module.register('data:text/javascript,' + encodeURIComponent(ESM_HOOKS_MODULE));
          } catch (e) {
            /* no hooks: ES modules stay as they are */
          } finally {
            startingHooksThread = false;
            delete process.env.AHTRACE_ESM_HOOKS;
          }
        };
      }
    }
  }

  // ---- exit ---------------------------------------------------------------
  function finish(code, signal) {
    if (ended || !recording) return;
    ended = true;
    try {
      if (hooksThreadResources !== null) {
        for (const id of hooksThreadResources) put(K_DESTROY, 0, id, 0, 0, 0);
        hooksThreadResources = null;
      }
      put(K_STREAM_END, 0, code, signal, 0, 0);
      recording = false;
      hook.disable();
      flush();
      closeStream();
      rescueLiveWorkers();
    } catch (e) {
      recording = true;
      fail(e);
    }
  }
  function exitCodeNow(arg) {
    const c = process.exitCode !== undefined ? process.exitCode : arg;
    const v = Number(c) | 0;
    return process.platform === 'win32' ? v : v & 0xff; // the status the parent sees
  }

  // streamEnd goes after the program's own 'exit' listeners: wrap process.emit.
  const origEmit = process.emit;
  // 'exit' and 'beforeExit' are marked (processEmitBegin/End): when node
  // emits them itself, it does so inside a callback scope whose resource is
  // the process object, so getStore() there reads the process object's
  // store, not the top level's (observed); replay needs to know.
  // 'uncaughtException' is marked too: on AsyncContextFrame a throw from a
  // queueMicrotask callback reaches its handler after the microtask's
  // `after`, still in the microtask's context; replay needs to know where
  // the handler runs.
  process.emit = function emit(ev) {
    if (ev !== 'exit' && ev !== 'beforeExit' && ev !== 'uncaughtException') return Reflect.apply(origEmit, this, arguments);
    const marked = recording && this === process;
    if (marked) {
      try { put(K_PROCESS_EMIT_BEGIN, intern(ev), 0, 0, 0, 0); } catch (e) { fail(e); }
    }
    try {
      return Reflect.apply(origEmit, this, arguments);
    } finally {
      if (marked && recording) {
        try { put(K_PROCESS_EMIT_END, intern(ev), 0, 0, 0, 0); } catch (e) { fail(e); }
      }
      // process._exiting is false when a program emits 'exit' itself.
      if (ev === 'exit' && this === process && process._exiting !== false) finish(exitCodeNow(arguments[1]), 0);
    }
  };
  const origListeners = process.listeners;
  // Fallback if process.emit gets replaced without calling ours: flush, and
  // finish when no program listener comes after ours.
  function onExit(code) {
    try {
      const ls = Reflect.apply(origListeners, process, ['exit']);
      if (process._exiting === false) return;
      if (ls[ls.length - 1] === onExit) finish(exitCodeNow(code), 0);
      else if (recording) flush();
    } catch (e) { fail(e); }
  }

  // Our own process listeners ('exit', 'worker', signals) are hidden from
  // process.listeners/rawListeners/listenerCount/eventNames so that code that
  // counts listeners (signal-exit and many CLIs: "re-raise if I am the only
  // SIGTERM listener") behaves as without the recorder.
  const mine = new Set();
  const origRaw = process.rawListeners;
  const origCount = process.listenerCount;
  const origEventNames = process.eventNames;
  function ownCount(type) {
    const l = Reflect.apply(origRaw, process, [type]);
    let c = 0;
    for (let i = 0; i < l.length; i++) if (mine.has(l[i])) c++;
    return c;
  }
  function hideList(self, list) {
    if (self !== process || list.length === 0) return list;
    let any = false;
    for (let i = 0; i < list.length; i++) if (mine.has(list[i])) any = true;
    return any ? list.filter((f) => !mine.has(f)) : list;
  }
  function hideListeners() {
    process.listeners = function listeners(type) {
      return hideList(this, Reflect.apply(origListeners, this, arguments));
    };
    process.rawListeners = function rawListeners(type) {
      return hideList(this, Reflect.apply(origRaw, this, arguments));
    };
    process.listenerCount = function listenerCount(type, listener) {
      const c = Reflect.apply(origCount, this, arguments);
      if (this !== process || c === 0) return c;
      if (listener !== undefined) return mine.has(listener) ? 0 : c;
      return c - ownCount(type);
    };
    process.eventNames = function eventNames() {
      const names = Reflect.apply(origEventNames, this, arguments);
      if (this !== process) return names;
      return names.filter((n) => Reflect.apply(origCount, process, [n]) > ownCount(n));
    };
  }

  function addQuietly(type, fn) {
    const events = process._events;
    const newListener = events ? events.newListener : undefined;
    if (newListener !== undefined) events.newListener = undefined;
    try {
      process.on(type, fn);
    } finally {
      if (newListener !== undefined) events.newListener = newListener;
    }
  }

  // Signal listeners: their SIGNALWRAP resources are NOT hidden from the
  // trace (they are created before the hook is enabled, so their init is
  // not in it). A program's own listener for the same signal runs inside
  // that resource's callback, and replay must see that before/after to
  // know where the listener runs (found by QA: eid mismatches in a
  // program's SIGTERM handler).
  if (isMainThread) {
    const sigs = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    let signals = {};
    try { signals = require('os').constants.signals; } catch (e) { /* ignore */ }
    const makeHandler = function (sig) {
      const num = signals[sig] || 0;
      const h = function () {
        let alone = true;
        try { alone = Reflect.apply(origCount, process, [sig]) <= ownCount(sig); } catch (e) { /* assume alone */ }
        if (!alone) { // the program handles it: just make the trace durable
          if (recording) {
            try { flush(); } catch (e) { fail(e); }
          }
          return;
        }
        if (recording) finish(128 + num, num);
        process.removeListener(sig, h);
        process.kill(process.pid, sig);
      };
      mine.add(h);
      return h;
    };
    for (let i = 0; i < sigs.length; i++) process.on(sigs[i], makeHandler(sigs[i]));
  }
  {
    // Added without a 'newListener' event: in a forked child, node's IPC
    // setup answers every new process listener with a process.nextTick (a
    // TickObject the program would see run, and an async id it would not
    // get). Signal listeners cannot be added that way: node starts the
    // signal watcher from its own 'newListener' handler.
    addQuietly('exit', onExit);
    mine.add(onExit);
    if (pool !== null) {
      const onWorker = function ahtraceWorker(w) {
        const tid = w.threadId;
        w.on('exit', function ahtraceWorkerExit() { rescueWorker(tid); });
      };
      addQuietly('worker', onWorker);
      mine.add(onWorker);
    }

    hideListeners();
  }

  // Bun/Deno: no hook (Deno's partial events would read as a broken stream).
  if (!hookEvents) return;

  // Started inside a callback (worker threads: the preload runs inside the
  // MessagePort callback that loads the worker script): record its `before`
  // (synthesized, ts = now) so that the `after` to come has its pair. Async
  // id 1 is the top level of the main script: no `after` ever comes for it.
  const startEid = executionAsyncId();
  if (startEid > 1) {
    put(K_BEFORE, 0, startEid, 0, 0, 0);
    if (segmentBytes > 0) enterCallback(startEid);
  }

  hook.enable();
  if (registerHooksThread !== null) registerHooksThread();
}
