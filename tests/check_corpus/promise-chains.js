// expect: clean
// pattern: promise-chains
'use strict';
// Promise chains inside run(): then/catch/finally, Promise.all/race/allSettled,
// a promise resolved by a timer, and a shared promise created at start-up
// (before any store) that each request chains onto. Reactions run in the
// context where then() was called, so every read sees its request's store.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const configReady = Promise.resolve({ currency: 'EUR' }); // start-up, no store
const delay = (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value));
const fail = (ms) => new Promise((resolve, reject) => setTimeout(reject, ms, new Error('timeout')));

function handle(id) {
  return als.run({ req: id }, () => configReady
    .then((config) => {
      log(`${id}:config`, als.getStore());
      return Promise.all([delay(2, 'price'), delay(1, 'stock')]);
    })
    .then(([price, stock]) => {
      log(`${id}:all`, als.getStore());
      return Promise.race([fail(5), delay(1, 'fast')]);
    })
    .then(() => Promise.allSettled([fail(1), delay(1)]))
    .then((results) => {
      log(`${id}:all-settled`, als.getStore());
      return fail(1);
    })
    .catch((err) => {
      log(`${id}:catch`, als.getStore());
    })
    .finally(() => {
      log(`${id}:finally`, als.getStore());
    }));
}

// traffic: B after A has finished
setTimeout(async () => {
  await handle('A');
  await handle('B');
}, 1);
