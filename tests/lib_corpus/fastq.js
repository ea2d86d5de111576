// expect: loss
// loss: fastq.js:19 wrong
// loss: fastq.js:26 wrong
// pattern: work-queue
// fix: fastq-fixed.js
'use strict';
// fastq@1.20.3 with concurrency 1 resizes uploads. push() calls the worker at
// once when it is idle (A, in A's context) and queues the rest; the worker for
// B and C is called from release(), inside the previous task's done(), which
// the worker calls from a timer it created while serving A: B's and C's worker
// and done callbacks see A's store.
const { AsyncLocalStorage } = require('async_hooks');
const fastq = require('fastq');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const resize = fastq((task, done) => {
  log(`${task.id}:worker`, als.getStore());
  setTimeout(() => done(null, `${task.id}-small.jpg`), 2);
}, 1);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  resize.push({ id }, (err, file) => {
    log(`${id}:done-callback`, als.getStore());
  });
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
