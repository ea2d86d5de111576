// exit: 0
// uncaughtException handler; the throw happens three callbacks deep (timer -> immediate -> nextTick).
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
process.on('uncaughtException', (err) => {
  show(`handler-${err.message}`);
  setTimeout(() => show(`timer-from-handler-${err.message}`), 1);
});
als.run({ u: 1 }, () => {
  setTimeout(() => {
    setImmediate(() => {
      process.nextTick(() => {
        show('before-throw-in-tick');
        throw new Error('tick');
      });
    });
  }, 1);
});
als.run({ u: 2 }, () => {
  setTimeout(() => {
    Promise.resolve().then(() => { show('before-throw-in-promise-then'); });
    throw new Error('timer');
  }, 20);
});
