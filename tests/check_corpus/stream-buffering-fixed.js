// expect: clean
// pattern: stream-buffering
'use strict';
// stream-buffering.js fixed: each record carries an
// AsyncLocalStorage.snapshot() taken by the writing request, _write() stamps
// the record inside it, and the write() callback is bound with
// AsyncResource.bind, so buffered records keep their own request's store.
const { Writable } = require('stream');
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const written = [];
const audit = new Writable({
  objectMode: true,
  write(record, encoding, done) {
    // stamp the record with the trace id of the request that wrote it
    record.inContext(() => {
      log(`${record.origin}:audit-write`, als.getStore());
    });
    written.push(record.action);
    setTimeout(done, 5); // slow disk
  },
});

function handle(id, action) {
  als.run({ req: id, trace: `t-${id}` }, () => {
    log(`${id}:handler`, als.getStore());
    // `origin` only labels the STORE line
    const inContext = AsyncLocalStorage.snapshot();
    audit.write({ action, origin: id, inContext }, AsyncResource.bind(() => {
      log(`${id}:write-callback`, als.getStore());
    }));
  });
}

// traffic: B and C arrive while A's record is being written
setTimeout(() => {
  handle('A', 'login');
  setTimeout(() => handle('B', 'update-profile'), 1);
  setTimeout(() => handle('C', 'logout'), 2);
}, 1);
