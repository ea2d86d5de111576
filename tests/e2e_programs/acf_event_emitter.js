// exit: 0
// EventEmitter listeners registered under one store and emitted under another; EventEmitterAsyncResource.
// Same on every line: plain listeners run with the emitter's caller store, bound listeners with the bind store, EventEmitterAsyncResource with its creation store.
const { AsyncLocalStorage } = require('async_hooks');
const { EventEmitter, EventEmitterAsyncResource, once } = require('events');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top');
const ee = als.run('create', () => new EventEmitter());
als.run('register', () => {
  ee.on('x', () => show('listener-on'));
  ee.once('x', () => show('listener-once'));
  ee.on('y', AsyncLocalStorage.bind(() => show('listener-bound')));
});
als.run('emit', () => { ee.emit('x'); ee.emit('y'); });
setTimeout(() => als.run('emit-in-timer', () => ee.emit('x')), 1);
const eear = als.run('eear-create', () => new EventEmitterAsyncResource({ name: 'E' }));
als.run('eear-register', () => eear.on('z', () => show('eear-listener')));
als.run('eear-emit', () => eear.emit('z'));
// events.once promise resolved by an emit under another store.
als.run('once-wait', async () => {
  await once(ee, 'w');
  show('after-events-once');
});
setTimeout(() => als.run('emit-w', () => ee.emit('w')), 3);
