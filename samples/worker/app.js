'use strict';
// A worker_threads Worker with its own AsyncLocalStorage that posts a message back.
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

if (isMainThread) {
  als.run({ thread: 'main' }, () => {
    const w = new Worker(__filename, { workerData: { job: 1 } });
    w.on('message', (msg) => {
      show('main-on-message');
      console.log('main got', JSON.stringify(msg));
    });
    w.on('exit', (code) => {
      show('main-on-exit');
      console.log('worker exit', code);
    });
  });
} else {
  als.run({ thread: 'worker', job: workerData.job }, () => {
    setTimeout(() => {
      show('worker-timeout');
      Promise.resolve().then(() => {
        const store = show('worker-promise');
        parentPort.postMessage({ seen: store });
      });
    }, 1);
  });
}
