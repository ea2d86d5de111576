// expect: loss
// loss: async-memoize.js:23 wrong
// pattern: request-coalescing
// fix: async-memoize-fixed.js
'use strict';
// async@3.2.6 async.memoize coalesces concurrent calls for the same key: the
// first call (request A) fetches the exchange rate, and callers that arrive
// while it is in flight (B, C) are queued and called back from A's fetch
// callback, so they see A's store.
const { AsyncLocalStorage } = require('async_hooks');
const async = require('async');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const getRate = async.memoize((currency, callback) => {
  setTimeout(() => callback(null, currency === 'EUR' ? 1.1 : 1), 3); // the rates API
});

function handle(id) {
  log(`${id}:handler`, als.getStore());
  getRate('EUR', (err, rate) => {
    log(`${id}:rate-callback`, als.getStore());
  });
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
