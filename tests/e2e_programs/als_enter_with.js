// exit: 0
// enterWith at top level, inside a callback, inside run(), and in an async function before/after await.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
setTimeout(() => show('timer-created-before-top-enterWith'), 1);
als.enterWith({ e: 'top' });
show('top-after-enterWith');
setTimeout(() => {
  show('timer-created-after-top-enterWith');
  setImmediate(() => show('immediate-before-callback-enterWith'));
  als.enterWith({ e: 'timer' });
  show('timer-after-enterWith');
  setImmediate(() => show('immediate-after-callback-enterWith'));
}, 2);
als.run({ e: 'run' }, () => {
  als.enterWith({ e: 'run-entered' });
  show('run-after-enterWith');
});
show('top-after-run');
async function sync() { als.enterWith({ e: 'async-sync-part' }); }
async function later() { await null; als.enterWith({ e: 'async-after-await' }); }
als.run({ e: 'caller' }, async () => {
  await sync();
  show('caller-after-sync-part-enterWith'); // leaked from the synchronous part
  await later();
  show('caller-after-later'); // not leaked
});
