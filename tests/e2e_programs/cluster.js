// exit: 0
// cluster: the primary forks a worker that serves HTTP on 127.0.0.1; the
// primary makes one request, then stops the worker.
const cluster = require('cluster');
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
if (cluster.isPrimary) {
  const w = cluster.fork();
  w.on('message', (port) => als.run({ req: 1 }, () => http.get(`http://127.0.0.1:${port}/`, (res) => {
    res.resume();
    res.on('end', () => { show('primary-response-end'); w.kill(); });
  })));
} else {
  const s = http.createServer((req, res) => als.run({ served: 1 }, () => { show('worker-handler'); res.end('ok'); }));
  s.listen(0, '127.0.0.1', () => process.send(s.address().port));
}
