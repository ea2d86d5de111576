// expect: clean
// pattern: helper-with-and-without-store
// (QA round 3: a correct program a heuristic mistook for context loss)
'use strict';
// A feature-flag cache: loaded from a file at start-up, refreshed by a
// self-re-arming setTimeout, and reloadable on demand through POST /reload.
// reload() logs through the request-aware logger: from the admin request it
// sees that request, from start-up and from the refresh timer it sees
// undefined (expected: nobody asked for it). Requests read the cache via the
// start-up promise and keep their store.
const http = require('http');
const fs = require('fs');
const path = require('path');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function log(label, msg) {
  const ctx = als.getStore();
  console.log(`STORE ${label} ${ctx === undefined ? 'undefined' : JSON.stringify(ctx)} ${msg}`);
}

const file = path.join(require('os').tmpdir(), `flags-${process.pid}.json`); // per process: runs may overlap
fs.writeFileSync(file, JSON.stringify({ newCheckout: true, version: 1 }));

let flags = null;
async function reload(label, reason) {
  const text = await fs.promises.readFile(file, 'utf8');
  flags = JSON.parse(text);
  log(label, `flags reloaded (${reason}) v${flags.version}`);
  return flags;
}

let ready = reload('-:reload-startup', 'startup');
let refreshTimer;
let refreshes = 0;
function scheduleRefresh() {
  refreshTimer = setTimeout(async () => {
    await reload('-:reload-timer', 'periodic');
    if (++refreshes < 6) scheduleRefresh();
  }, 8);
}
scheduleRefresh();

const server = http.createServer((req, res) => {
  const id = req.headers['x-request-id'];
  als.run({ id }, async () => {
    if (req.method === 'POST' && req.url === '/reload') {
      const f = await reload(`${id}:reload-admin`, 'admin');
      res.end(`v${f.version}`);
      return;
    }
    const f = await ready;
    log(`${id}:flags`, `newCheckout=${f.newCheckout}`);
    res.end(String(f.newCheckout));
  });
});

function call(port, id, method, p) {
  return new Promise((resolve) => {
    http.request({ port, host: '127.0.0.1', method, path: p, headers: { 'x-request-id': id }, agent: false }, (r) => {
      r.resume();
      r.on('end', resolve);
    }).end();
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  await call(port, 'A', 'GET', '/checkout');
  fs.writeFileSync(file, JSON.stringify({ newCheckout: false, version: 2 }));
  await call(port, 'ADMIN1', 'POST', '/reload');
  await new Promise((r) => setTimeout(r, 20));
  await call(port, 'B', 'GET', '/checkout');
  await new Promise((r) => setTimeout(r, 40));
  clearTimeout(refreshTimer);
  server.close();
  fs.unlinkSync(file);
});
