// expect: clean
// pattern: work-queue
'use strict';
// async-queue.js fixed: each task carries an AsyncLocalStorage.snapshot()
// taken by the request that pushed it, and the worker runs the task's work
// inside it; the task callback is bound with AsyncResource.bind.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const async = require('async');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const thumbnails = async.queue((task, done) => task.inContext(() => {
  log(`${task.id}:worker`, als.getStore());
  setTimeout(() => done(null, `${task.id}.png`), 2);
}), 1);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  thumbnails.push({ id, inContext: AsyncLocalStorage.snapshot() }, AsyncResource.bind((err, file) => {
    log(`${id}:task-callback`, als.getStore());
  }));
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
