// exit: 0
// child_process: execFile of node with a timer script, and spawn with piped stdout. (output order between the two children varies)
const { execFile, spawn } = require('child_process');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ cp: 'execFile' }, () => {
  execFile(process.execPath, ['-e', 'setTimeout(() => console.log("hi"), 1)'], (err, out) => {
    if (err) throw err;
    show(`execFile-${out.trim()}`);
  });
});
als.run({ cp: 'spawn' }, () => {
  const c = spawn(process.execPath, ['-e', 'process.stdout.write("x")'], { stdio: ['ignore', 'pipe', 'inherit'] });
  c.stdout.on('data', (d) => show(`spawn-data-${d}`));
  c.on('exit', (code) => show(`spawn-exit-${code}`));
  c.on('close', () => show('spawn-close'));
});
