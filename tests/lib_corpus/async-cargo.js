// expect: loss
// loss: async-cargo.js:19 wrong
// loss: async-cargo.js:28 wrong
// pattern: batching
// fix: async-cargo-fixed.js
'use strict';
// async@3.2.6 async.cargo batches audit events into one insert. The cargo is
// processed once for the three pushes made in the same tick, in the context of
// the first push (A): the worker's per-event code for B and C sees A's store,
// and so do B's and C's push callbacks, all called from the batch's done().
const { AsyncLocalStorage } = require('async_hooks');
const async = require('async');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const audit = async.cargo((events, done) => {
  const rows = events.map((event) => {
    log(`${event.id}:cargo-event`, als.getStore());
    return `${event.id} ${event.action}`;
  });
  setTimeout(() => done(null, rows.length), 2); // one INSERT for the batch
}, 10);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  audit.push({ id, action: 'login' }, (err) => {
    log(`${id}:push-callback`, als.getStore());
  });
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
