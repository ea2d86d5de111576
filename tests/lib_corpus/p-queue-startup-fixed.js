// expect: clean
// pattern: concurrency-limiter
'use strict';
// p-queue-startup.js fixed: the requests' jobs are bound with
// AsyncResource.bind when they are added, so they run in their own request's
// context although the warm-up job's completion starts them.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const { default: PQueue } = require('p-queue');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const queue = new PQueue({ concurrency: 1 });
queue.add(async () => {
  log('-:warm-up', als.getStore()); // expected-undefined
  await sleep(3);
});

async function chargeCard(id) {
  log(`${id}:charge`, als.getStore());
  await sleep(1);
  return 'ok';
}

async function handle(id) {
  log(`${id}:handler`, als.getStore());
  await queue.add(AsyncResource.bind(() => chargeCard(id)));
  log(`${id}:after-queue`, als.getStore());
}

for (const id of ['A', 'B']) als.run({ req: id }, () => handle(id));
