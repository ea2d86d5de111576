// expect: clean
// pattern: emitter
'use strict';
// Like emitter-cross-request.js, but the waiter uses the promise API:
// `await events.once(bus, ...)` and `for await (... of events.on(...))`.
// The emit still happens in another request's context, but the await resumes
// in the waiter's own context, so nothing is lost.
const { EventEmitter, once, on } = require('events');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const bus = new EventEmitter();

// r1 waits for the job it submitted to be finished by a worker request (r2)
als.run({ req: 'r1' }, async () => {
  const [result] = await once(bus, 'job-done');
  log('r1:job-done', als.getStore());
});

// r3 follows a progress feed fed by r2
const feed = new AbortController();
als.run({ req: 'r3' }, async () => {
  try {
    for await (const [pct] of on(bus, 'progress', { signal: feed.signal })) {
      log('r3:progress', als.getStore());
      if (pct === 100) feed.abort();
    }
  } catch (err) {
    log('r3:feed-closed', als.getStore());
  }
});

setTimeout(() => als.run({ req: 'r2' }, () => {
  log('r2:worker', als.getStore());
  bus.emit('progress', 50);
  setTimeout(() => {
    bus.emit('progress', 100);
    bus.emit('job-done', 'ok');
  }, 2);
}), 1);
