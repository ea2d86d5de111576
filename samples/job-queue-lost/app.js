'use strict';
// The classic bug: a job queue drained by a loop created at start-up loses the
// AsyncLocalStorage store of the request that enqueued each job.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

// --- a hand-written job queue, started at module load (outside any request)
const queue = [];
function enqueue(job) { queue.push(job); }
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
    enqueue(() => show(`queue-job-${requestId}`)); // store is lost here
  });
}

handleRequest(1);
handleRequest(2);
setTimeout(() => handleRequest(3), 2);
