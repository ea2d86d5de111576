// expect: clean
// pattern: enter-with-after-await
'use strict';
// enter-with-after-await.js fixed: authenticate() returns the user and the
// handler runs the rest of the request inside als.run(), so everything after
// the authentication sees the request's store.
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
  return users.get(req.headers.authorization);
}

const server = http.createServer(async (req, res) => {
  const id = req.url.slice(1);
  const user = await authenticate(req, id);
  await als.run({ req: id, user }, async () => {
    log(`${id}:after-auth`, als.getStore());
    res.end('ok\n');
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const get = (path, token, done) => http.get({ host: '127.0.0.1', port, path, agent: false, headers: { authorization: token } }, (res) => {
    res.resume();
    res.on('end', done);
  });
  get('/A', 'token-alice', () => get('/B', 'token-bob', () => server.close()));
});
