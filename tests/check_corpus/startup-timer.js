// expect: clean
// pattern: startup-timer
'use strict';
// A maintenance interval started at start-up (session sweeper) that never
// works for a request: its getStore() is undefined and nothing expects
// otherwise. Requests are handled with a proper run() per request, and their
// own timers keep their store even while the sweeper runs in between.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const sessions = new Map();
const sweeper = setInterval(() => {
  for (const [sid, s] of sessions) {
    if (!s.expired) continue;
    sessions.delete(sid);
    log('-:session-swept', als.getStore()); // expected-undefined
  }
}, 4);

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    sessions.set(id, { expired: id === 'A' });
    setTimeout(() => {
      log(`${id}:respond`, als.getStore());
      res.end('ok\n');
    }, 6);
  });
});

server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  http.get(`${base}/A`, { agent: false }, (res) => {
    res.resume();
    res.on('end', () => http.get(`${base}/B`, { agent: false }, (r) => {
      r.resume();
      r.on('end', () => { clearInterval(sweeper); server.close(); });
    }));
  });
});
