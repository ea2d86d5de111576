// expect: loss
// loss: dataloader.js:21 wrong
// pattern: batching
// fix: dataloader-fixed.js
'use strict';
// dataloader@2.2.3 shared by all requests batches the keys loaded in one tick
// into one call of the batch function. The batch is scheduled by the first
// load() (request A: a resolved promise's then() and a process.nextTick made
// in A's context), so the per-key permission check inside the batch function
// sees A's store for B's and C's keys. Each caller's `await load()` resumes
// in its own context.
const { AsyncLocalStorage } = require('async_hooks');
const DataLoader = require('dataloader');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const owners = { 'doc-A': 'A', 'doc-B': 'B', 'doc-C': 'C' };
const documents = new DataLoader(async (keys) => keys.map((key) => {
  // "may the current user read this document?"
  log(`${owners[key]}:batch-key`, als.getStore());
  return { key, owner: owners[key] };
}));

async function handle(id) {
  log(`${id}:handler`, als.getStore());
  const doc = await documents.load(`doc-${id}`);
  log(`${id}:after-load`, als.getStore());
  return doc;
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
