// expect: loss
// loss: p-queue.js:21 wrong
// loss: p-queue.js:23 wrong
// pattern: concurrency-limiter
// fix: p-queue-fixed.js
'use strict';
// p-queue@6.6.2 (CommonJS) with concurrency 1 sends webhooks one at a time.
// add() starts A's job at once, in A's context; B's and C's jobs are started
// by _next(), which the previous job's run() calls after its `await`, so they
// run in A's context and see A's store. The webhook's timer, created there,
// carries A's store too.
const { AsyncLocalStorage } = require('async_hooks');
const { default: PQueue } = require('p-queue');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const queue = new PQueue({ concurrency: 1 });

function sendWebhook(id) {
  log(`${id}:webhook`, als.getStore());
  return new Promise((resolve) => setTimeout(() => {
    log(`${id}:webhook-sent`, als.getStore());
    resolve(200);
  }, 3));
}

async function handle(id) {
  log(`${id}:handler`, als.getStore());
  const status = await queue.add(() => sendWebhook(id));
  log(`${id}:after-queue`, als.getStore());
  return status;
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
