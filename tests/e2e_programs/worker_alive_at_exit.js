// A worker still running when the process ends (an unref'd worker, as
// pino.transport() and other logging transports use): node stops it
// without running its JS, like terminate(). The main thread's recorder
// appends the worker's unflushed records and its end record, so the trace
// is complete (found by QA: record exited 124 and check failed on every
// program using pino.transport()).
const { Worker } = require('worker_threads');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const worker = new Worker(`
  const { parentPort } = require('worker_threads');
  const { AsyncLocalStorage } = require('async_hooks');
  const als = new AsyncLocalStorage();
  als.run('worker', () => setInterval(() => { Promise.resolve().then(() => als.getStore()); }, 5));
  parentPort.postMessage('ready');
`, { eval: true });
als.run('main', () => {
  worker.on('message', () => {
    worker.unref();
    setTimeout(() => console.log(`STORE main-done ${JSON.stringify(als.getStore())}`), 60);
  });
});
