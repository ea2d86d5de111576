// expect: clean
// pattern: helper-with-and-without-store
// (QA round 3: a correct program a heuristic mistook for context loss)
'use strict';
// withRetry(): exponential backoff on timers, used both by request handlers
// (calls to a flaky upstream) and by the start-up code that connects to the
// "database" (which keeps failing for a while, so its retries continue while
// requests are already being served). Each attempt is logged through the
// request-aware logger: request retries see their request, the start-up
// connect sees undefined (expected).
const http = require('http');
const { setTimeout: sleep } = require('timers/promises');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function log(label, msg) {
  const ctx = als.getStore();
  console.log(`STORE ${label} ${ctx === undefined ? 'undefined' : JSON.stringify(ctx)} ${msg}`);
}

// callback style, as in older code bases
function withRetry(label, fn, cb, attempt = 0) {
  fn((err, value) => {
    log(label, `attempt ${attempt} ${err ? 'failed' : 'ok'}`);
    if (!err) return cb(null, value);
    if (attempt >= 5) return cb(err);
    setTimeout(() => withRetry(label, fn, cb, attempt + 1), 2 ** attempt);
  });
}
// promise style
async function withRetryAsync(label, fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      const v = await fn();
      log(label, `attempt ${attempt} ok`);
      return v;
    } catch (err) {
      log(label, `attempt ${attempt} failed`);
      if (attempt >= 5) throw err;
      await sleep(2 ** attempt);
    }
  }
}

// a database that becomes reachable after ~25 ms
const dbUpAt = Date.now() + 25;
const connectDb = (cb) => setImmediate(() => cb(Date.now() < dbUpAt ? new Error('ECONNREFUSED') : null, 'db'));
let db = null;
withRetry('-:db-connect', connectDb, (err, conn) => { db = conn; log('-:db-connected', String(!err)); });

// a flaky upstream: fails the first two calls for each key
const failures = new Map();
const upstream = http.createServer((req, res) => {
  const n = (failures.get(req.url) || 0) + 1;
  failures.set(req.url, n);
  res.statusCode = n <= 2 ? 503 : 200;
  res.end();
});
function callUpstream(key) {
  return new Promise((resolve, reject) => {
    http.get({ port: upstream.address().port, host: '127.0.0.1', path: `/${key}`, agent: false }, (r) => {
      r.resume();
      r.on('end', () => (r.statusCode === 200 ? resolve(key) : reject(new Error(String(r.statusCode)))));
    });
  });
}

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  als.run({ id }, async () => {
    const v = await withRetryAsync(`${id}:upstream-retry`, () => callUpstream(id));
    withRetry(`${id}:cb-retry`, (cb) => callUpstream(`${id}-cb`).then((x) => cb(null, x), cb), () => {
      log(`${id}:respond`, v);
      res.end(v);
    });
  });
});

upstream.listen(0, '127.0.0.1', () => server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  let left = 2;
  for (const id of ['A', 'B']) {
    http.get({ port, host: '127.0.0.1', path: `/${id}`, agent: false }, (r) => {
      r.resume();
      r.on('end', () => {
        if (--left) return;
        const done = () => { server.close(); upstream.close(); };
        if (db) done(); else setTimeout(done, 60);
      });
    });
  }
}));
