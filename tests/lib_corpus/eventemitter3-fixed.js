// expect: clean
// pattern: emitter
'use strict';
// eventemitter3.js fixed: the listener is wrapped with
// AsyncLocalStorage.bind when it is registered, so it runs in its own
// request's context whichever request emits.
const { AsyncLocalStorage } = require('async_hooks');
const EventEmitter = require('eventemitter3');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const inventory = new EventEmitter();
let refreshing = false;

function handle(id) {
  log(`${id}:handler`, als.getStore());
  inventory.once('stock-updated', AsyncLocalStorage.bind((stock) => {
    log(`${id}:on-stock-updated`, als.getStore());
  }));
  if (refreshing) return;
  refreshing = true;
  setTimeout(() => inventory.emit('stock-updated', { apples: 3 }), 2);
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
