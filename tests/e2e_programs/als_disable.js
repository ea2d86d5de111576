// exit: 0
// disable(): getStore() is undefined until the next run/enterWith; resources created before keep their old store.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const old = als.run({ d: 'before-disable' }, () => {
  setTimeout(() => show('old-timer-after-rerun'), 30); // long delay: fires after the re-run
  process.nextTick(() => show('old-tick-while-disabled')); // runs before the re-run
  const res = new AsyncResource('OLDRESOURCE');
  als.disable();
  show('right-after-disable');
  setTimeout(() => show('timer-created-while-disabled'), 30);
  return res;
});
setTimeout(() => {
  show('disabled-timer');
  old.runInAsyncScope(() => show('old-resource-while-disabled'));
  als.run({ d: 'second-run' }, () => { // re-enables the instance
    show('second-run');
    setTimeout(() => show('timer-in-second-run'), 1);
  });
  old.runInAsyncScope(() => show('old-resource-after-rerun'));
  show('after-second-run');
}, 1);
