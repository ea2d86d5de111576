// expect: loss
// loss: cron-scheduler.js:21 undefined
// pattern: job-queue
// (from QA: the callback is registered through a helper inside run(), nothing else recorded there)
// cron-like scheduler: jobs registered by tenants inside als.run(); the scheduler is one timer created at
// start-up and re-armed with timer.refresh(). Jobs registered via scheduleBound() keep their store
// (AsyncResource.bind), jobs via schedule() lose it. Expected: loss at the 'plain-job' line only.
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');
const als = new AsyncLocalStorage();
const log = (label, s) => console.log('STORE', label, s === undefined ? 'undefined' : JSON.stringify(s));
const jobs = [];
let ticks = 0;
const timer = setTimeout(function tick() {
  ticks++;
  for (const j of jobs) if (ticks % j.every === 0) j.fn(ticks);
  if (ticks < 6) timer.refresh();
}, 3);
function schedule(every, fn) { jobs.push({ every, fn }); }
function scheduleBound(every, fn) { jobs.push({ every, fn: AsyncResource.bind(fn) }); }
als.run({ tenant: 'acme' }, () => {
  schedule(2, (t) => log('plain-job', als.getStore()));
  scheduleBound(3, (t) => log('bound-job', als.getStore()));
});
als.run({ tenant: 'globex' }, () => {
  const r = new AsyncResource('TenantJob');
  schedule(3, (t) => r.runInAsyncScope(() => log('scoped-job', als.getStore())));
});
