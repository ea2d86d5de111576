// exit: 0
// worker_threads: main creates a Worker inside run(); worker uses its own ALS and posts back.
const { Worker, isMainThread, parentPort } = require('worker_threads');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
if (isMainThread) {
  als.run({ thread: 'main' }, () => {
    const w = new Worker(__filename);
    w.on('message', (m) => show(`main-message-${m}`));
    w.on('exit', (code) => show(`main-exit-${code}`));
  });
} else {
  show('worker-top');
  als.run({ thread: 'worker' }, () => {
    setTimeout(() => {
      show('worker-timeout');
      parentPort.postMessage('done');
    }, 1);
  });
}
