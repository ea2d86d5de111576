'use strict';
// Promise chains, async/await, combinators, a thenable and await of a non-promise.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

const thenable = {
  then(resolve) {
    show('thenable-then');
    resolve(42);
  },
};

async function work() {
  const a = await 7; // await of a non-promise value
  show('after-await-value');
  const b = await thenable;
  show('after-await-thenable');
  return a + b;
}

als.run({ id: 'chain' }, () => {
  Promise.resolve(1)
    .then((v) => { show('then'); return v + 1; })
    .then(() => { throw new Error('boom'); })
    .catch((e) => { show('catch'); return e.message; })
    .finally(() => show('finally'));
});

als.run({ id: 'combinators' }, async () => {
  const all = await Promise.all([Promise.resolve(1), work(), new Promise((r) => setTimeout(r, 1, 3))]);
  show('all');
  const race = await Promise.race([new Promise((r) => setTimeout(r, 5, 'slow')), Promise.resolve('fast')]);
  show('race');
  const settled = await Promise.allSettled([Promise.reject(new Error('no')), Promise.resolve('yes')]);
  show('allSettled');
  console.log('results', JSON.stringify(all), race, settled.map((s) => s.status).join(','));
});

show('top-level');
