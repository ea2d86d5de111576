// expect: clean
// pattern: shared-lazy-client
'use strict';
// A client created lazily by the first request that needs it, then shared:
// its methods are closures created under request A's store, and every
// request calls them from its own code, so each call reads the caller's
// store, which is right. (A wrong-store rule that judged closures by where
// they were created alone would flag B and C here.)
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

function makeClient() {
  let calls = 0;
  return {
    query(id, sql, callback) {
      calls++;
      log(`${id}:query`, als.getStore());
      setTimeout(() => callback(null, `${sql} #${calls}`), 2);
    },
  };
}
let client = null;

function handle(id, delay) {
  setTimeout(() => {
    als.run({ req: id }, () => {
      if (client === null) client = makeClient();
      client.query(id, 'select 1', (err, row) => log(`${id}:result`, als.getStore()));
    });
  }, delay);
}

handle('A', 1);
handle('B', 5);
handle('C', 10);
