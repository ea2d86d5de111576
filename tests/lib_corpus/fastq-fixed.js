// expect: clean
// pattern: work-queue
'use strict';
// fastq.js fixed: each task is pushed with an AsyncLocalStorage.snapshot()
// that the worker runs it in, and the done callback is bound with
// AsyncResource.bind.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const fastq = require('fastq');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const resize = fastq((task, done) => task.inContext(() => {
  log(`${task.id}:worker`, als.getStore());
  setTimeout(() => done(null, `${task.id}-small.jpg`), 2);
}), 1);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  resize.push({ id, inContext: AsyncLocalStorage.snapshot() }, AsyncResource.bind((err, file) => {
    log(`${id}:done-callback`, als.getStore());
  }));
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
