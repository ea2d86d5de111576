// expect: loss
// loss: limiter.js:39
// loss: limiter.js:41
// pattern: limiter
// fix: limiter-fixed.js
'use strict';
// A p-limit-like concurrency limiter (one task at a time): a queued task is
// started from the continuation of the task before it, so requests B and C
// run their tasks, before and after an await, with request A's store. The
// `.then()` after limit() resumes in each caller's own context.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

function createLimit() {
  const queue = [];
  let active = false;
  function next() {
    if (active || queue.length === 0) return;
    active = true;
    const { task, resolve } = queue.shift();
    Promise.resolve()
      .then(task)
      .then((value) => {
        resolve(value);
        active = false;
        next();
      });
  }
  return (task) => new Promise((resolve) => { queue.push({ task, resolve }); next(); });
}
const limit = createLimit();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function handle(id) {
  als.run({ req: id }, () => {
    limit(async () => {
      log(`${id}:task`, als.getStore());
      await sleep(2);
      log(`${id}:task-after-await`, als.getStore());
    }).then(() => log(`${id}:done`, als.getStore()));
  });
}

for (const id of ['A', 'B', 'C']) handle(id);
