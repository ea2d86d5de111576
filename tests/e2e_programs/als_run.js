// exit: 0
// AsyncLocalStorage.run: nesting, return value, throw restores the outer store, two instances.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const other = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const ret = als.run({ level: 1 }, () => {
  setTimeout(() => show('timer-level-1'), 10);
  als.run({ level: 2 }, () => {
    show('sync-level-2');
    setTimeout(() => show('timer-level-2'), 10);
  });
  show('back-to-level-1');
  try {
    als.run({ level: 'throws' }, () => { throw new Error('x'); });
  } catch { show('after-throw'); }
  other.run('other-store', () => {
    show('inside-other-run'); // unaffected by the other instance
    Promise.resolve().then(() => show(`promise-other-${other.getStore()}`));
  });
  return 'ret';
});
show(`after-run-${ret}`);
als.run(undefined, () => process.nextTick(() => show('run-with-undefined')));
