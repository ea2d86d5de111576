// expect: loss
// loss: p-limit.js:22 wrong
// pattern: concurrency-limiter
// fix: p-limit-fixed.js
'use strict';
// p-limit@3.1.0: a limiter of 1 lets one export job run at a time. The first
// job is started from its own enqueue() (request A's context); every later job
// is started by next(), which the previous job's run() calls after `await
// result`, so it runs in the context of the job before it: B's and C's jobs
// see A's store (another request's store, not undefined). The caller's
// `await limit(...)` resumes in its own context.
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
  const file = await limit(() => exportReport(id));
  log(`${id}:after-limit`, als.getStore());
  return file;
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
