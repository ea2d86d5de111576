// exit: 0
// A synchronous throw in the main script caught by uncaughtException: node
// then emits after(1) for its bootstrap scope, which no before announced.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
process.on('uncaughtException', () => {
  show('handler');
  setTimeout(() => show('timer-from-handler'), 1);
  process.nextTick(() => show('tick-from-handler'));
});
als.enterWith({ main: 1 });
setImmediate(() => show('immediate'));
Promise.resolve().then(() => show('microtask'));
throw new Error('main-throw');
