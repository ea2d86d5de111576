// expect: clean
// pattern: batching
'use strict';
// dataloader.js fixed: the key carries an AsyncLocalStorage.snapshot() of
// the request that loads it (cacheKeyFn keeps the cache keyed by the document
// id), and the batch function runs each key's check inside that snapshot.
const { AsyncLocalStorage } = require('async_hooks');
const DataLoader = require('dataloader');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const owners = { 'doc-A': 'A', 'doc-B': 'B', 'doc-C': 'C' };
const documents = new DataLoader(async (keys) => keys.map(({ doc, inContext }) => inContext(() => {
  // "may the current user read this document?"
  log(`${owners[doc]}:batch-key`, als.getStore());
  return { key: doc, owner: owners[doc] };
})), { cacheKeyFn: (key) => key.doc });

async function handle(id) {
  log(`${id}:handler`, als.getStore());
  const doc = await documents.load({ doc: `doc-${id}`, inContext: AsyncLocalStorage.snapshot() });
  log(`${id}:after-load`, als.getStore());
  return doc;
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
