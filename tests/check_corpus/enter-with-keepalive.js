// expect: loss
// loss: enter-with-keepalive.js:28 wrong
// expect@acf: clean
// pattern: enter-with-keepalive
// fix: enter-with-keepalive-fixed.js
'use strict';
// An auth middleware calls als.enterWith() for authenticated requests only. With async_hooks ALS, enterWith()
// stores onto the current async resource, which for an HTTP request handler is the connection's parser resource,
// shared by every request on that keep-alive connection: anonymous request B, sent on A's connection, sees A's user.
// On AsyncContextFrame runtimes enterWith() only replaces the current frame, so B reads undefined (clean).
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
const users = { 'token-alice': 'alice' };

function authenticate(req, id) {
  const user = users[req.headers.authorization];
  if (user) als.enterWith({ req: id, user });
  return user;
}

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  const user = authenticate(req, id);
  // no store is expected for anonymous requests
  log(`${user ? id : '-'}:handler`, als.getStore());
  res.end(user ? `hello ${user}\n` : 'hello stranger\n');
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(port, path, headers, done) {
  http.get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
    res.resume();
    res.on('end', done);
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  get(port, '/A', { authorization: 'token-alice' }, () => {
    get(port, '/B', {}, () => {
      agent.destroy();
      server.close();
    });
  });
});
