// expect: loss
// loss: enter-with-after-await.js:35 undefined
// pattern: enter-with-after-await
// fix: enter-with-after-await-fixed.js
'use strict';
// An async auth middleware sets the store with enterWith() after an await.
// enterWith() only affects the rest of authenticate()'s own execution (the
// continuation after its await): the caller, resumed after `await
// authenticate()`, runs in its own context and never sees the user.
const http = require('http');
const { setTimeout: sleep } = require('timers/promises');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
const users = new Map();

// start-up work runs with its own store (this also enables the storage before
// any request promise exists)
als.run({ req: 'boot' }, () => {
  users.set('token-alice', 'alice').set('token-bob', 'bob');
  log('boot:users-loaded', als.getStore());
});

async function authenticate(req, id) {
  await sleep(2); // token introspection
  const user = users.get(req.headers.authorization);
  als.enterWith({ req: id, user });
  log(`${id}:authenticated`, als.getStore());
}

const server = http.createServer(async (req, res) => {
  const id = req.url.slice(1);
  await authenticate(req, id);
  log(`${id}:after-auth`, als.getStore());
  res.end('ok\n');
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const get = (path, token, done) => http.get({ host: '127.0.0.1', port, path, agent: false, headers: { authorization: token } }, (res) => {
    res.resume();
    res.on('end', done);
  });
  get('/A', 'token-alice', () => get('/B', 'token-bob', () => server.close()));
});
