// exit: 3
// process.exit(3) inside a timer callback: pending timers never fire, 'exit' listeners run.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
process.on('exit', (code) => show(`exit-listener-${code}`));
als.run({ x: 1 }, () => {
  setTimeout(() => {
    show('before-exit');
    setImmediate(() => show('never-immediate'));
    Promise.resolve().then(() => show('never-promise'));
    process.nextTick(() => show('never-tick'));
    process.exit(3);
  }, 1);
  setTimeout(() => show('never-timer'), 50);
});
