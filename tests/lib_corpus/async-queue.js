// expect: loss
// loss: async-queue.js:19 wrong
// loss: async-queue.js:26 wrong
// pattern: work-queue
// fix: async-queue-fixed.js
'use strict';
// async@3.2.6 async.queue with concurrency 1 makes thumbnails. A's push()
// schedules the processing, so A's task runs in A's context. The queue then
// calls the worker for B and C from the previous task's done() (inside a
// timer the worker created), so the worker serving B and C sees A's store, and
// so does each task's callback, called from the same done().
const { AsyncLocalStorage } = require('async_hooks');
const async = require('async');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const thumbnails = async.queue((task, done) => {
  log(`${task.id}:worker`, als.getStore());
  setTimeout(() => done(null, `${task.id}.png`), 2);
}, 1);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  thumbnails.push({ id }, (err, file) => {
    log(`${id}:task-callback`, als.getStore());
  });
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
