// exit: 0
// exit() with run() nested inside; getStore after each.
// async_hooks: after a run() nested in exit() returns, still inside exit(), the outer store is back (back-in-exit "outer"); ACF: still undefined.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const other = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); const o = other.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)} other=${o === undefined ? 'undefined' : JSON.stringify(o)}`); };
other.enterWith('o-top');
als.run('outer', () => {
  show('in-outer');
  als.exit(() => {
    show('in-exit');
    setTimeout(() => show('timer-created-in-exit'), 1);
    als.run('inner', () => {
      show('in-run-in-exit');
      setTimeout(() => show('timer-created-in-run-in-exit'), 2);
    });
    show('back-in-exit');
    setTimeout(() => show('timer-created-back-in-exit'), 3);
    other.enterWith('o-entered-in-exit');
    Promise.resolve().then(() => show('promise-created-back-in-exit'));
  });
  show('after-exit');
  setTimeout(() => show('timer-created-after-exit'), 4);
  als.exit(() => {
    als.exit(() => show('exit-in-exit'));
    show('after-exit-in-exit');
  });
  show('after-second-exit');
});
show('top-after');
