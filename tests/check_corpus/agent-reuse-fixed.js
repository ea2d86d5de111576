// expect: clean
// pattern: agent-reuse
'use strict';
// agent-reuse.js fixed: the per-request socket listener is bound to the
// request's context (AsyncResource.bind) and removed when the response ends, so
// request A's accounting neither runs with B's store nor counts B's bytes.
const http = require('http');
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const server = http.createServer((req, res) => setTimeout(() => res.end(`hello ${req.url}\n`), 5));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let finished = 0;

function fetchPage(id, port) {
  als.run({ req: id }, () => {
    const countBytes = AsyncResource.bind((chunk) => {
      log(`${id}:socket-bytes`, als.getStore());
    });
    const req = http.get({ host: '127.0.0.1', port, path: `/${id}`, agent }, (res) => {
      log(`${id}:response`, als.getStore());
      res.on('data', () => {
        log(`${id}:res-data`, als.getStore());
      });
      res.on('end', () => {
        log(`${id}:res-end`, als.getStore());
        req.socket.off('data', countBytes);
        if (++finished === 2) setImmediate(() => { agent.destroy(); server.close(); });
      });
    });
    req.on('socket', (socket) => {
      log(`${id}:socket`, als.getStore());
      socket.on('data', countBytes);
    });
    req.on('finish', () => {
      log(`${id}:req-finish`, als.getStore());
    });
    req.on('close', () => {
      log(`${id}:req-close`, als.getStore());
    });
  });
}

server.listen(0, '127.0.0.1', () => {
  fetchPage('A', server.address().port);
  fetchPage('B', server.address().port);
});
