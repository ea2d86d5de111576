// expect: loss
// loss: lazy-singleton.js:21 wrong
// pattern: lazy-singleton
// fix: lazy-singleton-fixed.js
'use strict';
// A cache whose background refresher is started lazily by the first request
// that uses it. The setInterval is created inside request A's run(), so every
// later refresh runs with A's store: the refresher's log lines (which should
// carry no request id) are attributed to A.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const rates = { value: null, refresher: null, refreshes: 0 };
function startRefresher() {
  rates.refresher = setInterval(() => {
    rates.value = { EUR: 1, USD: 1.1 + rates.refreshes / 100 };
    rates.refreshes++;
    // background work: no request is involved here
    log('-:rates-refreshed', als.getStore());
    if (rates.refreshes === 3) clearInterval(rates.refresher);
  }, 5);
}
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
