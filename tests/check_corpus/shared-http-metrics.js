// expect: clean
// pattern: helper-with-and-without-store
// (QA round 3: a correct program a heuristic mistook for context loss)
'use strict';
// HTTP service: request-id middleware (als.run per request), a structured
// logger that reads the store, and a metrics flusher started at start-up that
// goes through the same logger/recordMetric path (no request: undefined is
// expected there). A final flush happens when the in-process smoke test ends.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();

// logger used everywhere; adds the request id when there is one
function logger(label, msg) {
  const ctx = als.getStore();
  console.log(`STORE ${label} ${ctx === undefined ? 'undefined' : JSON.stringify(ctx)} ${msg}`);
}

const counters = new Map();
function recordMetric(label, name, value) {
  counters.set(name, (counters.get(name) || 0) + value);
  logger(label, `metric ${name}=${value}`);
}

function flush(label) {
  recordMetric(label, 'heap_mb', Math.round(process.memoryUsage().heapUsed / 1e6));
  logger(label, `flushed ${counters.size} counters`);
}
const flusher = setInterval(() => flush('-:flusher'), 5);

// middleware: one store per request
const withRequestId = (handler) => (req, res) =>
  als.run({ id: req.headers['x-request-id'] }, () => handler(req, res));

const server = http.createServer(withRequestId((req, res) => {
  const { id } = als.getStore();
  logger(`${id}:handler`, `${req.method} ${req.url}`);
  recordMetric(`${id}:metric`, 'requests', 1);
  setTimeout(() => {
    recordMetric(`${id}:metric-latency`, 'latency_ms', 8);
    res.end('ok');
  }, 8);
}));

function get(port, id) {
  return new Promise((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: '/orders', headers: { 'x-request-id': id } }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  await Promise.all(['A', 'B', 'C'].map((id) => get(port, id)));
  await get(port, 'D');
  clearInterval(flusher);
  flush('-:final-flush');
  server.close();
});
