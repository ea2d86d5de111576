// expect: loss
// loss: batch-loader.js:45 wrong
// pattern: batch-loader
// fix: batch-loader-fixed.js
'use strict';
// A DataLoader-like batcher with callbacks: the first load() in a tick schedules
// the flush with process.nextTick, so the flush (and the batched fetch it
// starts) runs in the first caller's context. Every callback is called from
// there: messages B and C see message A's store.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const usersTable = { 1: 'alice', 2: 'bob', 3: 'carol' };
function fetchUsers(ids, callback) {
  setTimeout(() => callback(null, ids.map((id) => usersTable[id])), 2); // one round trip
}

class Loader {
  constructor(batchFn) {
    this.batchFn = batchFn;
    this.queue = [];
  }
  load(key, callback) {
    this.queue.push({ key, callback });
    if (this.queue.length === 1) process.nextTick(() => this.flush());
  }
  flush() {
    const batch = this.queue;
    this.queue = [];
    this.batchFn(batch.map((b) => b.key), (err, values) => {
      batch.forEach((b, i) => b.callback(err, values[i]));
    });
  }
}
const users = new Loader(fetchUsers);

// a message consumer: each poll delivers several messages, each handled in its
// own run()
const broker = [{ id: 'A', userId: 1 }, { id: 'B', userId: 2 }, { id: 'C', userId: 3 }];
function handleMessage(msg) {
  log(`${msg.id}:received`, als.getStore());
  users.load(msg.userId, (err, name) => {
    log(`${msg.id}:user-loaded`, als.getStore());
  });
}
setTimeout(() => {
  for (const msg of broker.splice(0)) als.run({ req: msg.id }, () => handleMessage(msg));
}, 1);
