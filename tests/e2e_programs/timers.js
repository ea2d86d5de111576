// exit: 0
// setTimeout (nested, zero and non-zero delays), clearTimeout, setImmediate, clearImmediate.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ t: 1 }, () => {
  setTimeout(() => {
    show('timeout-outer');
    setTimeout(() => show('timeout-inner'), 0);
    setImmediate(() => show('immediate-in-timeout'));
  }, 2);
  const cancelled = setTimeout(() => show('never'), 1);
  clearTimeout(cancelled);
});
als.run({ t: 2 }, () => {
  const imm = setImmediate(() => show('never-immediate'));
  clearImmediate(imm);
  setImmediate(() => show('immediate'));
});
setTimeout(() => show('timeout-top'), 20);
