// exit: 3
// process.exit() inside a callback: 'exit' listeners run in that callback's
// context (its store), and the callback never gets its after.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
process.on('exit', () => show('exit'));
als.run({ r: 1 }, () => setTimeout(() => process.exit(3), 1));
