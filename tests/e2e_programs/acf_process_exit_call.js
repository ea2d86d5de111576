// exit: 4
// 'exit' listeners when process.exit() is called from inside run() in a timer (the listeners run synchronously inside that call). (Exits 4: the e2e test checks callback balance only for programs that end with 0.)
// Same on every line: 'exit' listeners called from process.exit() inside run() see that run()'s store.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top');
als.run('listener-registered', () => process.on('exit', () => show('exit-listener')));
als.run('timer', () => setTimeout(() => {
  als.enterWith('entered-in-timer');
  als.run('in-run', () => { show('before-process-exit'); process.exit(4); });
}, 1));
