// expect: clean
// pattern: enter-with-default
'use strict';
// A correct program (CommonJS, no ESM) that a wrong-store rule must not flag:
// the module's top level calls als.enterWith({ req: 'boot' }), a default
// store for everything started at start-up (the async@3.2.6 health check
// loop, a cache warm-up with async.parallel). Requests replace it with
// als.run(); their async.parallel/async.waterfall callbacks keep their own
// store. The start-up work reading the 'boot' store, shared by all, is right.
const { AsyncLocalStorage } = require('async_hooks');
const async = require('async');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

als.enterWith({ req: 'boot' });
log('boot:module', als.getStore());

let checks = 0;
async.forever((next) => {
  log('boot:health-check', als.getStore());
  if (++checks === 2) return next(new Error('stop'));
  setTimeout(next, 5);
}, () => log('boot:health-stopped', als.getStore()));

async.parallel([
  (cb) => setTimeout(() => cb(null, 'prices'), 1),
  (cb) => setImmediate(() => cb(null, 'stock')),
], () => log('boot:warm-up-done', als.getStore()));

function handle(id) {
  log(`${id}:handler`, als.getStore());
  async.waterfall([
    (cb) => setTimeout(() => cb(null, `${id}-user`), 1),
    (user, cb) => setImmediate(() => cb(null, user, 2)),
  ], (err, user, items) => log(`${id}:waterfall-done`, als.getStore()));
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
