// exit: 0
// Two storages: a.run() with b.enterWith() inside; does b's store survive the end of a.run()?
// Same on every line: b.enterWith() inside a.run()/a.exit() survives the end of it.
const { AsyncLocalStorage } = require('async_hooks');
const a = new AsyncLocalStorage();
const b = new AsyncLocalStorage();
const fmt = (v) => (v === undefined ? 'undefined' : JSON.stringify(v));
const show = (l) => console.log(`STORE ${l} a=${fmt(a.getStore())} b=${fmt(b.getStore())}`);
b.enterWith('b-top');
a.run('a1', () => {
  b.enterWith('b-in-a1');
  show('inside-a1');
});
show('after-a1');
setTimeout(() => {
  a.run('a2', () => {
    b.enterWith('b-in-a2');
    setTimeout(() => show('timer-in-a2'), 5);
  });
  show('after-a2-in-timer');
  setImmediate(() => show('immediate-after-a2'));
}, 1);
setTimeout(() => {
  // run() with the same store as the current one: shortcut path.
  a.enterWith('same');
  a.run('same', () => { b.enterWith('b-in-same-run'); });
  show('after-same-store-run');
  a.run('different', () => b.run('b-nested', () => a.enterWith('a-entered-in-b-run')));
  show('after-nested-a-enter-in-b-run');
  a.exit(() => b.enterWith('b-in-exit'));
  show('after-a-exit-with-b-enter');
}, 20);
