// expect: clean
// pattern: batching
'use strict';
// async-cargo.js fixed: every event carries an AsyncLocalStorage.snapshot()
// of the request that pushed it, and the batch runs each event's code inside
// its snapshot; push callbacks are bound with AsyncResource.bind.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const async = require('async');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const audit = async.cargo((events, done) => {
  const rows = events.map((event) => event.inContext(() => {
    log(`${event.id}:cargo-event`, als.getStore());
    return `${event.id} ${event.action}`;
  }));
  setTimeout(() => done(null, rows.length), 2); // one INSERT for the batch
}, 10);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  audit.push({ id, action: 'login', inContext: AsyncLocalStorage.snapshot() }, AsyncResource.bind((err) => {
    log(`${id}:push-callback`, als.getStore());
  }));
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
