'use strict';
// execFile of node itself with a tiny -e script, plus spawn with stdout piping.
const { execFile, spawn } = require('child_process');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

const script = "setTimeout(() => console.log('child timer fired'), 5)";

als.run({ child: 'execFile' }, () => {
  execFile(process.execPath, ['-e', script], (err, stdout) => {
    if (err) throw err;
    show('execFile-callback');
    console.log('execFile stdout', JSON.stringify(stdout));
  });
});

als.run({ child: 'spawn' }, () => {
  const cp = spawn(process.execPath, ['-e', "process.stdout.write('a\\nb\\n')"], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  cp.stdout.setEncoding('utf8');
  cp.stdout.on('data', (chunk) => { out += chunk; });
  cp.stdout.on('end', () => show('spawn-stdout-end'));
  cp.on('close', (code) => {
    show('spawn-close');
    console.log('spawn exit', code, 'stdout', JSON.stringify(out));
  });
});
