// expect: loss
// loss: bluebird.js:24 wrong
// loss: bluebird.js:27 wrong
// pattern: promise-library
// fix: bluebird-fixed.js
'use strict';
// bluebird@3.7.2 runs then()/finally() handlers from its own queue, drained
// by one setImmediate that the first settled handler schedules. Without
// Promise.config({ asyncHooks: true }) the handlers do not carry their
// caller's context: the three requests' handlers, queued in the same tick,
// all run in the drain scheduled from request A and see A's store.
const { AsyncLocalStorage } = require('async_hooks');
const Bluebird = require('bluebird');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const sessions = { A: 'alice', B: 'bob', C: 'carol' };

function handle(id) {
  log(`${id}:handler`, als.getStore());
  return Bluebird.resolve(sessions[id])
    .then((user) => {
      log(`${id}:then`, als.getStore());
      return user;
    })
    .finally(() => log(`${id}:finally`, als.getStore()));
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
