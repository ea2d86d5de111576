// expect: clean
// pattern: emitter
'use strict';
// Instrumentation registered once at start-up (outside any store): a
// diagnostics_channel subscriber and a process-wide EventEmitter listener.
// Both run synchronously inside publish()/emit(), in the publishing request's
// context, and that is exactly what they want: they tag each event with the
// request that caused it. A listener registered with no store running with a
// store is not a loss.
const dc = require('diagnostics_channel');
const { EventEmitter } = require('events');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const queryChannel = dc.channel('app:db-query');
const metrics = new EventEmitter();

dc.subscribe('app:db-query', (msg) => {
  log(`${msg.origin}:query-span`, als.getStore());
});
metrics.on('slow-request', (info) => {
  log(`${info.origin}:slow-request-metric`, als.getStore());
});

// `origin` only labels the STORE lines
function query(sql, origin, callback) {
  queryChannel.publish({ sql, origin });
  setTimeout(callback, 2, null, []);
}

function handle(id) {
  als.run({ req: id }, () => {
    const started = Date.now();
    query('SELECT * FROM carts', id, () => {
      log(`${id}:query-done`, als.getStore());
      metrics.emit('slow-request', { ms: Date.now() - started, origin: id });
    });
  });
}

// traffic: B arrives 1 ms after A
setTimeout(() => {
  handle('A');
  setTimeout(() => handle('B'), 1);
}, 1);
