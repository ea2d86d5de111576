// expect: clean
// pattern: promise-cache
'use strict';
// The promise version of emitter-cross-request.js: an in-flight cache of
// promises. r1 starts the fetch, r2 and r3 await the same promise (r3 after it
// has settled). The promise is resolved from r1's timer, but every await and
// then() continues in its caller's context.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const inflight = new Map();
function getReport(key) {
  if (!inflight.has(key)) {
    inflight.set(key, new Promise((resolve) => {
      setTimeout(() => {
        // the fetch is r1's own work: r1 is the first to ask
        log('r1:fetch-done', als.getStore());
        resolve(`report for ${key}`);
      }, 10);
    }));
  }
  return inflight.get(key);
}

async function handle(id, key) {
  log(`${id}:start`, als.getStore());
  const report = await getReport(key);
  log(`${id}:report-ready`, als.getStore());
  getReport(key).then(() => {
    log(`${id}:then`, als.getStore());
  });
}

// traffic: r2 arrives while r1's fetch is in flight, r3 after it settled
const request = (id) => als.run({ req: id }, () => handle(id, 'daily'));
setTimeout(() => {
  request('r1');
  setTimeout(() => request('r2'), 2);
  setTimeout(() => request('r3'), 30);
}, 1);
