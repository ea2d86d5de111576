// expect: clean
// pattern: concurrency-limiter
'use strict';
// p-limit.js fixed: the job handed to limit() is bound to its caller's
// context with AsyncLocalStorage.bind, so it runs with its own request's store
// whichever job's completion starts it.
const { AsyncLocalStorage } = require('async_hooks');
const pLimit = require('p-limit');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const limit = pLimit(1);

async function exportReport(id) {
  log(`${id}:job`, als.getStore());
  await sleep(5); // the "rendering"
  return `${id}.pdf`;
}

async function handle(id) {
  log(`${id}:handler`, als.getStore());
  const file = await limit(AsyncLocalStorage.bind(() => exportReport(id)));
  log(`${id}:after-limit`, als.getStore());
  return file;
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
