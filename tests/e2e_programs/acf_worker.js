// exit: 0
// worker_threads: run() in the parent around Worker creation and in the worker; messages back under stores.
// Same on every line: stores do not cross the thread boundary; each side sees only its own run()/enterWith().
const { AsyncLocalStorage } = require('async_hooks');
const { Worker, isMainThread, parentPort } = require('worker_threads');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
if (isMainThread) {
  als.enterWith('parent-top');
  const w = als.run('parent-create', () => new Worker(__filename));
  als.run('parent-on', () => {
    w.on('message', (m) => {
      show(`parent-message-${m === 'done' ? 'done' : 'stores'}`);
      if (m === 'done') w.terminate();
      else for (const kv of m.split(',')) { const [k, v] = kv.split(':'); console.log(`STORE ${k} ${v === 'undefined' ? v : JSON.stringify(v)}`); }
    });
    w.on('exit', () => show('parent-worker-exit'));
  });
  als.run('parent-post', () => w.postMessage('go'));
} else {
  parentPort.on('message', (m) => {
    // Worker output goes through the parent's stdout asynchronously, so the
    // worker reports its stores in one message instead of printing them.
    const seen = [];
    seen.push(`w-on-message:${als.getStore()}`);
    als.run('worker-run', () => {
      seen.push(`w-in-run:${als.getStore()}`);
      setTimeout(() => {
        seen.push(`w-timer:${als.getStore()}`);
        als.enterWith('worker-entered');
        Promise.resolve().then(() => {
          seen.push(`w-promise:${als.getStore()}`);
          parentPort.postMessage(seen.join(','));
          parentPort.postMessage('done');
        });
      }, 1);
    });
  });
}
