// expect: loss
// loss: otel-listener.js:34 undefined
// loss: otel-listener.js:35 wrong
// pattern: emitter
// fix: otel-listener-fixed.js
'use strict';
// OpenTelemetry (@opentelemetry/api@1.9.1 with the AsyncLocalStorage context
// manager of @opentelemetry/context-async-hooks@2.12.1). The "store" is OTel's
// active Context, kept in the manager's AsyncLocalStorage (read directly here
// so that the getStore() call is on the line that prints it). Each request,
// inside context.with(), subscribes to two events of a shared emitter:
// 'config-reloaded', emitted from a setInterval started at start-up (the
// listener sees no context: undefined), and 'cache-warm', emitted by request
// A (B's and C's listeners see A's context: the wrong span/request).
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
  bus.once('config-reloaded', () => log(`${id}:on-config-reloaded`, als.getStore()));
  bus.once('cache-warm', () => log(`${id}:on-cache-warm`, als.getStore()));
  setTimeout(() => { // the first request to get here warms the shared cache
    if (warmed) return;
    warmed = true;
    bus.emit('cache-warm');
  }, 1);
}

for (const id of ['A', 'B', 'C']) api.context.with(api.ROOT_CONTEXT.setValue(REQ, id), () => handle(id));
