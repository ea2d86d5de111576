// exit: 0
// process 'beforeExit' / 'exit' listeners after a top-level enterWith(), plus a listener registered under run().
// async_hooks: the 2nd 'beforeExit' and the 'exit' listeners see an enterWith() made in the 1st 'beforeExit'; ACF: undefined (node emits them with no frame).
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top-entered');
let n = 0;
process.on('beforeExit', () => {
  show(`beforeExit-${n}`);
  if (n++ === 0) {
    als.enterWith('entered-in-beforeExit');
    setTimeout(() => show('timer-from-beforeExit'), 1);
  }
});
als.run('registered-under-run', () => process.on('exit', () => show('exit-listener-from-run')));
process.on('exit', () => show('exit-listener'));
setTimeout(() => { show('timer'); als.enterWith('entered-in-timer'); }, 1);
