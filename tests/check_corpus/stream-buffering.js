// expect: loss
// loss: stream-buffering.js:24 wrong
// loss: stream-buffering.js:35 wrong
// pattern: stream-buffering
// fix: stream-buffering-fixed.js
'use strict';
// A shared audit Writable created at start-up, with a slow _write(). Only the
// first record is written synchronously from its request; records written
// while a write is in progress are buffered and written later from the
// previous write's completion callback, i.e. in the context of whichever
// request started the chain: B and C get A's trace id, and so do their
// write() callbacks.
const { Writable } = require('stream');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const written = [];
const audit = new Writable({
  objectMode: true,
  write(record, encoding, done) {
    // stamp the record with the trace id of the current request
    log(`${record.origin}:audit-write`, als.getStore());
    written.push(record.action);
    setTimeout(done, 5); // slow disk
  },
});

function handle(id, action) {
  als.run({ req: id, trace: `t-${id}` }, () => {
    log(`${id}:handler`, als.getStore());
    // `origin` only labels the STORE line
    audit.write({ action, origin: id }, () => {
      log(`${id}:write-callback`, als.getStore());
    });
  });
}

// traffic: B and C arrive while A's record is being written
setTimeout(() => {
  handle('A', 'login');
  setTimeout(() => handle('B', 'update-profile'), 1);
  setTimeout(() => handle('C', 'logout'), 2);
}, 1);
