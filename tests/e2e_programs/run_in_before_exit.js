// exit: 0
// run() inside a beforeExit listener: it sets and restores the store on the
// process object, the resource of node's own exit scope.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
let k = 0;
process.on('beforeExit', () => {
  show('beforeExit-' + k);
  if (++k > 2) return;
  als.run({ be: k }, () => show('in-run'));
  show('after-run');
  setTimeout(() => show('timer'), 1);
});
