// exit: 0
// Promise.all / race / allSettled / any, with timer-backed inputs and a rejection.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const later = (v, ms) => new Promise((r) => setTimeout(() => r(v), ms));
const input = als.run({ pa: 'inputs' }, () => [later('a', 1), Promise.resolve('b'), 'c']);
als.run({ pa: 'all' }, () => Promise.all(input).then((v) => show(`all-${v.join('')}`)));
als.run({ pa: 'race' }, () => Promise.race([later('slow', 3), later('fast', 1)]).then((v) => show(`race-${v}`)));
als.run({ pa: 'settled' }, () => {
  Promise.allSettled([Promise.reject(new Error('r')), later('ok', 1)])
    .then((s) => show(`allSettled-${s.map((x) => x.status).join(',')}`));
});
als.run({ pa: 'any' }, async () => {
  try { await Promise.any([Promise.reject(new Error('1')), Promise.reject(new Error('2'))]); } catch (e) { show(`any-${e.constructor.name}`); }
});
