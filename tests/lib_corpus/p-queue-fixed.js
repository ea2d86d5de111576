// expect: clean
// pattern: concurrency-limiter
'use strict';
// p-queue.js fixed: the job is bound with AsyncResource.bind when it is
// added, so whichever job's completion starts it, it runs (and creates its
// timer) in its own request's context.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
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
  const status = await queue.add(AsyncResource.bind(() => sendWebhook(id)));
  log(`${id}:after-queue`, als.getStore());
  return status;
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
