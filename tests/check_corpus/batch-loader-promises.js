// expect: clean
// pattern: batch-loader
'use strict';
// batch-loader.js with promises: load() returns a promise that the flush
// resolves, still from message A's context. That is fine: an await (or a
// then() callback) resumes in the context where it was *called*, not where the
// promise was resolved, so every message keeps its own store.
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
  load(key) {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (this.queue.length === 1) process.nextTick(() => this.flush());
    });
  }
  flush() {
    const batch = this.queue;
    this.queue = [];
    this.batchFn(batch.map((b) => b.key), (err, values) => {
      batch.forEach((b, i) => (err ? b.reject(err) : b.resolve(values[i])));
    });
  }
}
const users = new Loader(fetchUsers);

// a message consumer: each poll delivers several messages, each handled in its
// own run()
const broker = [{ id: 'A', userId: 1 }, { id: 'B', userId: 2 }, { id: 'C', userId: 3 }];
async function handleMessage(msg) {
  log(`${msg.id}:received`, als.getStore());
  const name = await users.load(msg.userId);
  log(`${msg.id}:user-loaded`, als.getStore());
  users.load(msg.userId).then((again) => {
    log(`${msg.id}:user-loaded-then`, als.getStore());
  });
}
setTimeout(() => {
  for (const msg of broker.splice(0)) als.run({ req: msg.id }, () => handleMessage(msg));
}, 1);
