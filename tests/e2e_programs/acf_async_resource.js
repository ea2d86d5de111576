// exit: 0
// AsyncResource, AsyncResource.bind, AsyncLocalStorage.bind, snapshot(), nested runInAsyncScope.
// async_hooks: enterWith() inside runInAsyncScope()/a snapshot() call sticks to the resource (in-r2-again, snapshot-nested/-in-timer show the entered store); ACF: it does not ("r2", "snap").
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top');
const r1 = als.run('r1', () => new AsyncResource('R1'));
const r2 = als.run('r2', () => new AsyncResource('R2'));
als.run('caller', () => {
  r1.runInAsyncScope(() => {
    show('in-r1');
    r2.runInAsyncScope(() => {
      show('in-r2-in-r1');
      als.enterWith('entered-in-r2');
      show('after-enterWith-in-r2');
    });
    show('back-in-r1');
    r1.runInAsyncScope(() => show('r1-reentered'));
    setTimeout(() => show('timer-from-r1'), 1);
  });
  show('back-in-caller');
  r2.runInAsyncScope(() => show('in-r2-again'));
});
const bound = als.run('ar-bind', () => AsyncResource.bind(() => show('AsyncResource.bind')));
const alsBound = als.run('als-bind', () => AsyncLocalStorage.bind(() => show('AsyncLocalStorage.bind')));
const snap = als.run('snap', () => AsyncLocalStorage.snapshot());
const viaRes = als.run('bind-method', () => r1.bind(() => show('resource.bind-method')));
als.run('call-site', () => {
  bound();
  alsBound();
  snap(() => { show('snapshot-run'); als.enterWith('entered-in-snapshot'); show('snapshot-after-enterWith'); });
  show('call-site-after-snapshot');
  viaRes();
  snap(() => snap(() => show('snapshot-nested')));
  setTimeout(() => { bound(); snap(() => show('snapshot-in-timer')); show('timer-call-site'); }, 2);
});
// AsyncResource created while the storage has no store, then run under one.
const bare = new AsyncResource('BARE');
als.run('outer-bare', () => bare.runInAsyncScope(() => show('bare-resource')));
r1.emitDestroy(); r2.emitDestroy();
