// expect: clean
// pattern: batching
// esm-flush-queue.mjs fixed: each request binds the closure it queues to
// its own context (AsyncLocalStorage.bind), so the flush, whoever's timer
// runs it, logs each request with its own store.
import { AsyncLocalStorage } from 'node:async_hooks';

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const pending = [];
let flushTimer = null;

function handle(id) {
  pending.push(AsyncLocalStorage.bind(() => log(`${id}:flushed`, als.getStore())));
  clearTimeout(flushTimer);
  flushTimer = setTimeout(() => { for (const write of pending.splice(0)) write(); }, 2);
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
