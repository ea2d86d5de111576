// exit: 0
// child_process.fork: the child's IPC channel is created before any preload
// runs, so the trace enters its callbacks without ever seeing its init; the
// child reads the store its message handler runs under.
const { fork } = require('child_process');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
if (process.argv[2] === 'child') {
  als.run({ child: 1 }, () => setTimeout(() => show('child-timer'), 1));
  process.on('message', () => { show('child-message'); process.disconnect(); });
} else {
  const c = fork(__filename, ['child'], { stdio: 'inherit' });
  als.run({ parent: 1 }, () => c.on('exit', () => show('parent-exit-event')));
  c.send('bye');
}
