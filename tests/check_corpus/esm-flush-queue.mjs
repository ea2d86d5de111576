// expect: loss
// loss: esm-flush-queue.mjs:19 wrong
// pattern: batching
// fix: esm-flush-queue-fixed.mjs
// An ES module (instrumented through node's module hooks) with a write-behind
// queue: each request queues a closure that logs its own request, and the
// queue is flushed once by a timer that the LAST request to queue (C)
// created, so every queued closure runs with C's store: A's and B's logs are
// attributed to C.
import { AsyncLocalStorage } from 'node:async_hooks';

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const pending = [];
let flushTimer = null;

function handle(id) {
  pending.push(() => log(`${id}:flushed`, als.getStore()));
  clearTimeout(flushTimer);
  flushTimer = setTimeout(() => { for (const write of pending.splice(0)) write(); }, 2);
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
