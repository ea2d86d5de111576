// expect: clean
// pattern: work-queue
'use strict';
// A correct job runner on fastq@1.20.3: requests push jobs with an
// AsyncLocalStorage.snapshot() into a queue that is paused until a runner
// started at start-up resumes it from its interval. The worker itself
// serves no request and reads undefined by design (it runs in the start-up
// interval's context); each job's own code runs inside its snapshot and sees
// its request's store; the drain hook reads undefined, as it should.
const { AsyncLocalStorage } = require('async_hooks');
const fastq = require('fastq');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const jobs = fastq((job, done) => {
  log('-:worker', als.getStore()); // expected-undefined
  job.inContext(() => log(`${job.id}:job`, als.getStore()));
  done(null);
}, 1);
jobs.pause();
jobs.drain = () => log('-:drain', als.getStore()); // expected-undefined

let ticks = 0;
const runner = setInterval(() => {
  log('-:runner-tick', als.getStore()); // expected-undefined
  if (++ticks === 2) clearInterval(runner); // a real runner would run forever
  if (jobs.length() === 0) return;
  jobs.resume();
  jobs.pause();
}, 5);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  jobs.push({ id, inContext: AsyncLocalStorage.snapshot() });
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
