// exit: 0
// Custom thenables: awaited, returned from then(), passed to Promise.resolve.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const mk = (label, value) => ({
  then(resolve) { show(`${label}-then-called`); setTimeout(() => resolve(value), 1); },
});
als.run({ th: 'await' }, async () => {
  const v = await mk('awaited', 1);
  show(`after-await-${v}`);
});
als.run({ th: 'returned' }, () => {
  Promise.resolve().then(() => mk('returned', 2)).then((v) => show(`after-return-${v}`));
});
als.run({ th: 'resolve' }, () => {
  Promise.resolve(mk('resolved', 3)).then((v) => show(`after-resolve-${v}`));
});
