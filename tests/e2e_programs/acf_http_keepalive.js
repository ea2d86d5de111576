// exit: 0
// HTTP keep-alive: a handler enterWith()s; a second request on the same connection reads the store.
// async_hooks: the 2nd request on a keep-alive connection sees the 1st handler's enterWith(); ACF: it sees the listen() store.
const { AsyncLocalStorage } = require('async_hooks');
const http = require('http');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
let n = 0;
const server = als.run('server-create', () => http.createServer((req, res) => {
  n++;
  show(`request-${n}-start`);
  als.enterWith(`entered-by-request-${n}`);
  req.on('end', () => { show(`request-${n}-end`); res.end(String(n)); });
  req.resume();
}));
als.run('listen', () => server.listen(0, '127.0.0.1', () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const port = server.address().port;
  const get = (i, cb) => als.run(`client-${i}`, () => http.get({ port, host: '127.0.0.1', agent, path: `/${i}` }, (res) => {
    show(`client-${i}-response`);
    res.resume();
    res.on('end', () => { show(`client-${i}-end`); cb(); });
  }));
  get(1, () => setImmediate(() => get(2, () => { agent.destroy(); server.close(() => show('server-closed')); })));
}));
