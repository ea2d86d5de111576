// expect: clean
// pattern: emitter
'use strict';
// otel-listener.js fixed with OTel's own tool: each listener is wrapped with
// context.bind(context.active(), listener) when it is registered, so it runs
// in its request's Context whoever emits the event (the manager's with()).
const { EventEmitter } = require('events');
const api = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');

const manager = new AsyncLocalStorageContextManager().enable();
api.context.setGlobalContextManager(manager);
const als = manager._asyncLocalStorage; // the AsyncLocalStorage behind context.active()
const REQ = api.createContextKey('request id');
const log = (label, ctx) => console.log(`STORE ${label} ${ctx === undefined ? 'undefined' : JSON.stringify({ req: ctx.getValue(REQ) })}`);

const bus = new EventEmitter();
const reloader = setInterval(() => { // start-up: reloads the config every 10 ms
  clearInterval(reloader); // (once is enough here)
  bus.emit('config-reloaded');
}, 10);
let warmed = false;

function handle(id) {
  log(`${id}:handler`, als.getStore());
  const ctx = api.context.active();
  bus.once('config-reloaded', api.context.bind(ctx, () => log(`${id}:on-config-reloaded`, als.getStore())));
  bus.once('cache-warm', api.context.bind(ctx, () => log(`${id}:on-cache-warm`, als.getStore())));
  setTimeout(() => { // the first request to get here warms the shared cache
    if (warmed) return;
    warmed = true;
    bus.emit('cache-warm');
  }, 1);
}

for (const id of ['A', 'B', 'C']) api.context.with(api.ROOT_CONTEXT.setValue(REQ, id), () => handle(id));
