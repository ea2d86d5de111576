'use strict';
// The fix for job-queue-lost: each job is wrapped with AsyncResource.bind at
// enqueue time, so it runs in the context of the request that enqueued it.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

// --- a hand-written job queue, started at module load (outside any request)
const queue = [];
function enqueue(job) { queue.push(AsyncResource.bind(job, 'JobQueueJob')); }
const EXPECTED_JOBS = 3; // so the sample exits by itself
let done = 0;
const drain = setInterval(() => {
  while (queue.length) {
    queue.shift()();
    done++;
  }
  if (done === EXPECTED_JOBS) clearInterval(drain);
}, 1);

// --- simulated HTTP requests
function handleRequest(requestId) {
  als.run({ requestId }, () => {
    show(`request-${requestId}`);
    enqueue(() => show(`queue-job-${requestId}`)); // store is kept
  });
}

handleRequest(1);
handleRequest(2);
setTimeout(() => handleRequest(3), 2);
