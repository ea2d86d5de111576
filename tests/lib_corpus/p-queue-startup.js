// expect: loss
// loss: p-queue-startup.js:24 undefined
// pattern: concurrency-limiter
// fix: p-queue-startup-fixed.js
'use strict';
// p-queue@6.6.2 (CommonJS) with concurrency 1 also runs a cache warm-up
// job added at start-up. The requests' jobs queue behind it and are started
// by _next() after the warm-up job's `await`, in the start-up context: every
// request's job sees no store at all (and so does its timer).
const { AsyncLocalStorage } = require('async_hooks');
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
  await queue.add(() => chargeCard(id));
  log(`${id}:after-queue`, als.getStore());
}

for (const id of ['A', 'B']) als.run({ req: id }, () => handle(id));
