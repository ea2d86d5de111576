'use strict';
// HTTP server on 127.0.0.1 (port 0) keeping a per-request store in
// AsyncLocalStorage, driven by a keep-alive client in the same process:
// REQUESTS (default 20000) requests with CONCURRENCY (default 50) in flight.
// Prints requests/s.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const REQUESTS = Number(process.env.REQUESTS || 20000);
const CONCURRENCY = Number(process.env.CONCURRENCY || 50);
const als = new AsyncLocalStorage();
let nextId = 1;

function handle(req, res) {
  als.run({ requestId: nextId++, url: req.url }, async () => {
    await null;
    const store = als.getStore();
    setImmediate(() => {
      const again = als.getStore();
      res.setHeader('content-type', 'text/plain');
      res.end(again === store ? 'ok\n' : 'lost\n');
    });
  });
}

const server = http.createServer(handle);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let started = 0;
  let done = 0;
  let lost = 0;
  const t0 = process.hrtime.bigint();

  function one() {
    if (started >= REQUESTS) return;
    started++;
    http.get({ host: '127.0.0.1', port, path: '/r' + started, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        if (body !== 'ok\n') lost++;
        done++;
        if (done === REQUESTS) finish();
        else one();
      });
    }).on('error', (e) => { console.error(e); process.exitCode = 1; });
  }

  function finish() {
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`http_als requests=${REQUESTS} concurrency=${CONCURRENCY} lost=${lost} ` +
      `seconds=${s.toFixed(3)} requests_per_s=${Math.round(REQUESTS / s)}`);
    agent.destroy();
    server.close();
  }

  for (let i = 0; i < CONCURRENCY; i++) one();
});
