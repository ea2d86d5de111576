// expect: loss
// loss: agent-reuse.js:37 wrong
// pattern: agent-reuse
// fix: agent-reuse-fixed.js
'use strict';
// Two outgoing requests, each in its own run(), share one keep-alive socket
// (maxSockets: 1, so B is queued until A's socket is free). node 20 keeps every
// ClientRequest/IncomingMessage event in its request's context, even on the
// reused socket. What loses is a listener put on the *socket* by request A for
// byte accounting and never removed: it also fires for B's response, with B's
// store.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const server = http.createServer((req, res) => setTimeout(() => res.end(`hello ${req.url}\n`), 5));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let finished = 0;

function fetchPage(id, port) {
  als.run({ req: id }, () => {
    const req = http.get({ host: '127.0.0.1', port, path: `/${id}`, agent }, (res) => {
      log(`${id}:response`, als.getStore());
      res.on('data', () => {
        log(`${id}:res-data`, als.getStore());
      });
      res.on('end', () => {
        log(`${id}:res-end`, als.getStore());
        if (++finished === 2) setImmediate(() => { agent.destroy(); server.close(); });
      });
    });
    req.on('socket', (socket) => {
      log(`${id}:socket`, als.getStore());
      socket.on('data', (chunk) => {
        log(`${id}:socket-bytes`, als.getStore());
      });
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
