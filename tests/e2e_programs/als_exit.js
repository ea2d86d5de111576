// exit: 0
// AsyncLocalStorage.exit: sync and async inside exit, and a run nested in exit.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ x: 'outer' }, () => {
  const r = als.exit(() => {
    show('inside-exit');
    setTimeout(() => show('timer-in-exit'), 1);
    als.run({ x: 'nested-in-exit' }, () => {
      show('run-in-exit');
      setTimeout(() => show('timer-in-run-in-exit'), 1);
    });
    show('back-in-exit');
    return 'r';
  });
  show(`after-exit-${r}`);
  setTimeout(() => show('timer-after-exit'), 1);
  Promise.resolve().then(() => als.exit(() => show('exit-in-promise')));
});
als.exit(() => show('exit-outside-run'));
