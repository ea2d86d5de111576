'use strict';
// Node 20 quirk: the result depends on whether an async hook was enabled before
// the first promises were created. Compare `node app.js` with `node app.js hook`
// (or with any recorder loaded through `node --require`).
const { AsyncLocalStorage, createHook, executionAsyncId } = require('async_hooks');

if (process.argv[2] === 'hook') createHook({ init() {} }).enable();

const als = new AsyncLocalStorage(); // not enabled until its first enterWith/run
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  console.log(`  (executionAsyncId ${executionAsyncId()})`);
  return v;
}

async function authenticate() {
  await null;
  als.enterWith({ user: 'alice' }); // first use of the ALS, inside a microtask
  show('inside-after-enterWith');
}

async function handler() {
  await authenticate();
  show('caller-after-await'); // no hook: {"user":"alice"}; with hook: undefined
  setTimeout(() => show('caller-timeout'), 1); // same split
}

handler().then(() => show('then-of-handler')); // undefined either way
