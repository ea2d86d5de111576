// exit: 0
// queueMicrotask vs nextTick vs promise ordering, nested microtasks.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ mt: 1 }, () => {
  queueMicrotask(() => {
    show('microtask-1');
    queueMicrotask(() => show('microtask-nested'));
    process.nextTick(() => show('tick-from-microtask'));
  });
  Promise.resolve().then(() => show('promise-1'));
  process.nextTick(() => show('tick-1'));
});
als.run({ mt: 2 }, () => {
  setImmediate(() => queueMicrotask(() => show('microtask-in-immediate')));
});
queueMicrotask(() => show('microtask-top'));
