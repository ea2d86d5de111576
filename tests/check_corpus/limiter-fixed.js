// expect: clean
// pattern: limiter
'use strict';
// limiter.js fixed: the limiter binds each task to the context of the call
// that queued it (AsyncResource.bind), so every task runs with its own
// request's store, before and after its await.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');

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
  return (task) => new Promise((resolve) => { queue.push({ task: AsyncResource.bind(task), resolve }); next(); });
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
