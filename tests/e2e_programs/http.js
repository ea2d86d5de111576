// exit: 0
// http server + client on 127.0.0.1, one POST, agent: false; listeners run in the emitter's context.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const server = http.createServer((req, res) => {
  show('request-handler');
  als.run({ req: 1 }, () => {
    setTimeout(() => show('timeout-in-run'), 0);
    req.on('data', () => {}).on('end', () => {
      show('req-end');
      setTimeout(() => { show('handler-timeout'); res.end('ok'); }, 1);
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  als.run({ client: 1 }, () => {
    const creq = http.request({ host: '127.0.0.1', port: server.address().port, method: 'POST', agent: false }, (res) => {
      show('client-response');
      res.resume();
      res.on('end', () => { show('client-end'); server.close(() => show('server-closed')); });
    });
    creq.end('body');
  });
});
