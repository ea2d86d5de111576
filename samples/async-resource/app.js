'use strict';
// AsyncResource by hand: runInAsyncScope, bind, emitDestroy (and a double emitDestroy).
const { AsyncLocalStorage, AsyncResource, executionAsyncId } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

// A tiny connection pool that hands out connections later, from a timer.
class PooledRequest extends AsyncResource {
  constructor(name) {
    super('PooledRequest', { requireManualDestroy: true });
    this.name = name;
  }
}

const waiting = [];
function acquire(cb) {
  const res = new PooledRequest('acquire');
  waiting.push(() => {
    res.runInAsyncScope(cb, null, { conn: 1 });
    res.emitDestroy();
    res.emitDestroy(); // double destroy: a bug a trace checker should flag
  });
}

als.run({ user: 'u1' }, () => {
  acquire((conn) => {
    show('runInAsyncScope');
    console.log('got', JSON.stringify(conn), 'in async id', executionAsyncId() > 0);
  });
  const bound = AsyncResource.bind(() => show('static-bind'));
  const res = new AsyncResource('Manual');
  const boundToRes = res.bind(() => show('instance-bind'));
  setTimeout(() => { bound(); boundToRes(); res.emitDestroy(); }, 1);
});

als.run({ user: 'u2' }, () => {
  setTimeout(() => {
    show('pool-release');
    waiting.shift()();
  }, 2);
});
