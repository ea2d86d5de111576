// expect: clean
// pattern: promise-library
'use strict';
// Correct use of bluebird@3.7.2 (no asyncHooks config) that a wrong-store
// rule must not flag: the requests only read the store after `await`ing
// bluebird promises (Bluebird.map, delay, a then() chain). Bluebird settles
// them from its shared queue, drained in request A's context, but a native
// `await` resumes in the context of the code that awaited.
const { AsyncLocalStorage } = require('async_hooks');
const Bluebird = require('bluebird');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

async function handle(id) {
  log(`${id}:handler`, als.getStore());
  const sizes = await Bluebird.map([1, 2, 3], (n) => n * 10, { concurrency: 2 });
  log(`${id}:after-map`, als.getStore());
  await Bluebird.delay(2);
  log(`${id}:after-delay`, als.getStore());
  const total = await Bluebird.resolve(sizes).then((s) => s.reduce((a, b) => a + b, 0));
  log(`${id}:after-then`, als.getStore());
  return total;
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
