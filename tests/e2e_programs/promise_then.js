// exit: 0
// then/catch/finally chains; reaction context is where .then() was called, not where resolve() was.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
let resolveLater;
const pending = als.run({ p: 'created' }, () => new Promise((r) => { resolveLater = r; }));
als.run({ p: 'attached' }, () => {
  pending.then((v) => show(`then-${v}`)).finally(() => show('finally'));
});
als.run({ p: 'resolver' }, () => setTimeout(() => resolveLater('ok'), 1));
als.run({ p: 'chain' }, () => {
  Promise.resolve(1)
    .then(() => { show('then-1'); throw new Error('x'); })
    .then(() => show('never'))
    .catch(() => show('catch'))
    .then(() => Promise.resolve(2)) // returning a promise adds extra hidden ticks
    .then(() => show('after-returned-promise'));
});
Promise.reject(new Error('handled')).catch(() => show('catch-top'));
