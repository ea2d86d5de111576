// exit: 0
// AsyncLocalStorage.bind and AsyncLocalStorage.snapshot (node 20: experimental, static).
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const bound = als.run({ s: 'bound' }, () => AsyncLocalStorage.bind(() => show('bound-fn')));
const snap = als.run({ s: 'snap' }, () => AsyncLocalStorage.snapshot());
als.run({ s: 'caller' }, () => {
  setTimeout(() => {
    show('timer');
    bound();
    snap(() => {
      show('in-snapshot');
      setTimeout(() => show('timer-from-snapshot'), 1);
    });
    snap((a, b) => show(`snapshot-args-${a}${b}`), 'x', 'y');
    show('after-snapshot');
  }, 1);
});
bound();
