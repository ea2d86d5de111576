// exit: 0
// Where 'beforeExit' and 'exit' listeners run: node emits them through a
// callback scope on the process object, not the top level, so a store set at
// the top level with enterWith() is not visible there (accepted sockets, made
// with an empty stack, do see it).
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith({ boot: true });
let again = true;
process.on('beforeExit', () => {
  show('beforeExit');
  if (again) { again = false; setTimeout(() => show('timer-from-beforeExit'), 1); }
});
process.on('exit', () => show('exit'));
const server = http.createServer((req, res) => { show('handler'); res.end('x'); });
server.listen(0, '127.0.0.1', () => {
  als.run({ client: 1 }, () => http.get(`http://127.0.0.1:${server.address().port}/`, (r) => {
    r.resume();
    r.on('end', () => { show('client-end'); server.close(); });
  }));
});
