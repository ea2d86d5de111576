// exit: 0
// Unhandled rejections reaching an uncaughtException handler: the handler
// runs in the rejected promise's context (no before), then node emits an
// after for that context.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
process.on('uncaughtException', () => {
  show('handler');
  setTimeout(() => show('timer-from-handler'), 1);
});
als.run({ r: 1 }, () => { Promise.reject(new Error('r1')); });
als.run({ r: 2 }, () => setTimeout(() => { als.run({ r: 3 }, async () => { await null; throw new Error('r3'); }); }, 5));
setTimeout(() => show('end'), 30);
