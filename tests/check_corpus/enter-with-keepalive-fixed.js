// expect: clean
// pattern: enter-with-keepalive
'use strict';
// enter-with-keepalive.js fixed: the middleware runs the rest of the request
// inside als.run() with a store for every request (user: null when anonymous),
// so nothing is written onto the shared connection resource.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
const users = { 'token-alice': 'alice' };

function authenticate(req, id, next) {
  const user = users[req.headers.authorization] || null;
  als.run({ req: id, user }, () => next(user));
}

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  authenticate(req, id, (user) => {
    log(`${id}:handler`, als.getStore());
    res.end(user ? `hello ${user}\n` : 'hello stranger\n');
  });
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
