// exit: 0
// AsyncResource: runInAsyncScope, bind, static bind, emitDestroy, double emitDestroy, use after destroy.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const [res, bound, staticBound] = als.run({ r: 'created' }, () => {
  const r = new AsyncResource('E2ERESOURCE', { requireManualDestroy: true });
  return [r, r.bind(() => show('instance-bind')), AsyncResource.bind(() => show('static-bind'), 'E2ESTATIC')];
});
als.run({ r: 'caller' }, () => {
  setTimeout(() => {
    show('timer');
    res.runInAsyncScope(() => {
      show('runInAsyncScope');
      res.runInAsyncScope(() => show('nested-runInAsyncScope'));
    });
    bound();
    staticBound();
    res.emitDestroy();
    res.emitDestroy(); // second destroy of the same id
    res.runInAsyncScope(() => show('after-destroy')); // still works: before/after after destroy
    setTimeout(() => show('timer-after-destroy'), 1);
  }, 1);
});
