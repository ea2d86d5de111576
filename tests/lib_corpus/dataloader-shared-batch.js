// expect: clean
// pattern: batching
'use strict';
// Correct uses of dataloader@2.2.3 that a wrong-store rule must not flag:
// - a loader shared by all requests whose batch function reads no request
//   data. It runs in the first caller's context (A) and resolves B's and C's
//   promises from there, yet every caller's `await load()` and `then()` resume
//   with its own store;
// - a loader created per request (the pattern DataLoader's docs recommend):
//   its batch function runs in, and reads, its own request's store.
const { AsyncLocalStorage } = require('async_hooks');
const DataLoader = require('dataloader');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const prices = { apple: 3, pear: 4, plum: 5 };
const fetchPrices = (keys) => new Promise((resolve) => setTimeout(() => resolve(keys.map((k) => prices[k])), 2));
const sharedPrices = new DataLoader(fetchPrices); // public data, no store needed

async function handle(id, fruit) {
  log(`${id}:handler`, als.getStore());
  const perRequest = new DataLoader(async (keys) => {
    log(`${id}:own-batch`, als.getStore());
    return keys.map((k) => `${k} in ${id}'s cart`);
  });
  const [price, line] = await Promise.all([sharedPrices.load(fruit), perRequest.load(fruit)]);
  log(`${id}:after-load`, als.getStore());
  sharedPrices.load('plum').then(() => log(`${id}:then`, als.getStore()));
  return `${line}: ${price}`;
}

const carts = { A: 'apple', B: 'pear', C: 'apple' };
for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id, carts[id]));
