// expect: loss
// loss: worker-pool-callbacks.js:26 undefined
// pattern: connection-pool
// (from QA: callbacks kept in a Map, called from worker 'message' events)
// worker pool with message passing; pool (2 workers) created at start-up. runTask() returns a promise (clean),
// runTaskCb() stores the callback and calls it from worker 'message' (loses the store),
// runTaskCbBound() binds it with AsyncResource.bind (clean). Expected: loss at the 'cb-plain' line.
const { Worker, isMainThread, parentPort } = require('worker_threads');
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
if (!isMainThread) {
  parentPort.on('message', ({ id, n }) => { let s = 0; for (let i = 0; i < n; i++) s += i; parentPort.postMessage({ id, s }); });
  return;
}
const als = new AsyncLocalStorage();
const log = (label, s) => console.log('STORE', label, s === undefined ? 'undefined' : JSON.stringify(s));
const callbacks = new Map();
let seq = 0, rr = 0;
const workers = [new Worker(__filename), new Worker(__filename)];
for (const w of workers) w.on('message', ({ id, s }) => { const cb = callbacks.get(id); callbacks.delete(id); cb(null, s); });
function runTaskCb(n, cb) { const id = ++seq; callbacks.set(id, cb); workers[rr++ % workers.length].postMessage({ id, n }); }
function runTaskCbBound(n, cb) { runTaskCb(n, AsyncResource.bind(cb)); }
function runTask(n) { return new Promise((res, rej) => runTaskCb(n, (e, v) => e ? rej(e) : res(v))); }
const reqs = [1, 2].map((req) => als.run({ req }, () => new Promise((done) => {
  let left = 3;
  const fin = () => { if (--left === 0) done(); };
  runTaskCb(1e5, (e, s) => { log('cb-plain-' + req, als.getStore()); fin(); });
  runTaskCbBound(1e5, (e, s) => { log('cb-bound-' + req, als.getStore()); fin(); });
  runTask(1e5).then((s) => { log('promise-' + req, als.getStore()); fin(); });
})));
Promise.all(reqs).then(() => workers.forEach((w) => w.terminate()));
