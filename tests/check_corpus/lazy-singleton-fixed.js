// expect: clean
// pattern: lazy-singleton
'use strict';
// lazy-singleton.js fixed: startRefresher is bound at module load with
// AsyncLocalStorage.bind(), so however lazily a request calls it, the interval
// is created in the start-up context and the refreshes run with no store.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const rates = { value: null, refresher: null, refreshes: 0 };
const startRefresher = AsyncLocalStorage.bind(() => {
  rates.refresher = setInterval(() => {
    rates.value = { EUR: 1, USD: 1.1 + rates.refreshes / 100 };
    rates.refreshes++;
    // background work: no request is involved here
    log('-:rates-refreshed', als.getStore()); // expected-undefined
    if (rates.refreshes === 3) clearInterval(rates.refresher);
  }, 5);
});
function getRates() {
  if (!rates.refresher) startRefresher();
  return rates.value || { EUR: 1, USD: 1.1 };
}

function handle(id, amount) {
  als.run({ req: id }, () => {
    const r = getRates();
    log(`${id}:convert`, als.getStore());
  });
}

// traffic: A starts the refresher, B comes after the last refresh
setTimeout(() => {
  handle('A', 10);
  setTimeout(() => handle('B', 20), 40);
}, 1);
