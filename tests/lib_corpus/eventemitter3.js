// expect: loss
// loss: eventemitter3.js:23 wrong
// pattern: emitter
// fix: eventemitter3-fixed.js
'use strict';
// eventemitter3@5.0.4, like node's EventEmitter, calls listeners in the
// context of emit(). Each checkout request waits for the shared inventory
// to refresh with once('stock-updated'); the refresh is done by whichever
// request finds the stock stale first (A), so B's and C's listeners run in
// A's context and see A's store.
const { AsyncLocalStorage } = require('async_hooks');
const EventEmitter = require('eventemitter3');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const inventory = new EventEmitter();
let refreshing = false;

function handle(id) {
  log(`${id}:handler`, als.getStore());
  inventory.once('stock-updated', (stock) => {
    log(`${id}:on-stock-updated`, als.getStore());
  });
  if (refreshing) return;
  refreshing = true;
  setTimeout(() => inventory.emit('stock-updated', { apples: 3 }), 2);
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
