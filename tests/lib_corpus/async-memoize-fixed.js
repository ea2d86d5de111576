// expect: clean
// pattern: request-coalescing
'use strict';
// async-memoize.js fixed: each caller binds its callback with
// AsyncResource.bind, so the callbacks that the first fetch calls run in
// their own requests' contexts.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const async = require('async');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const getRate = async.memoize((currency, callback) => {
  setTimeout(() => callback(null, currency === 'EUR' ? 1.1 : 1), 3); // the rates API
});

function handle(id) {
  log(`${id}:handler`, als.getStore());
  getRate('EUR', AsyncResource.bind((err, rate) => {
    log(`${id}:rate-callback`, als.getStore());
  }));
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
