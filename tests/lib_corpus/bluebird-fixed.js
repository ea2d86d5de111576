// expect: clean
// pattern: promise-library
'use strict';
// bluebird.js fixed with bluebird's own switch: Promise.config({ asyncHooks:
// true }), set before any promise is made, gives every handler an
// AsyncResource created where it was attached, and runs it in that resource.
const { AsyncLocalStorage } = require('async_hooks');
const Bluebird = require('bluebird');

Bluebird.config({ asyncHooks: true });
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
