// exit: 0
// await in nested async functions; enterWith() in a callee before/after its first await, seen by the caller.
// Same on every line: enterWith() in a callee before its first await leaks to the caller; after an await it stays in the callee.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const tick = () => new Promise((r) => setTimeout(r, 1));
async function enterBeforeAwait() {
  als.enterWith('callee-before-await');
  show('callee-before-await-sync');
  await null;
  show('callee-after-await');
}
async function enterAfterAwait() {
  await null;
  als.enterWith('callee-after-await');
  show('callee-after-await-entered');
  await tick();
  show('callee-after-second-await');
}
async function deep(n) {
  if (n === 0) { als.enterWith('deepest'); await tick(); show('deepest-after-await'); return; }
  await deep(n - 1);
  show(`deep-${n}-after-await`);
}
async function main() {
  show('main-start');
  const p = enterBeforeAwait();
  show('caller-sync-after-call-before');
  await p;
  show('caller-after-await-before');
  await enterAfterAwait();
  show('caller-after-await-after');
  await als.run('deep-run', () => deep(2));
  show('caller-after-deep');
  // Not awaited: callee's enterWith after its await, caller continues.
  const q = enterAfterAwait();
  show('caller-sync-after-unawaited');
  await tick();
  show('caller-after-tick-unawaited');
  await q;
  show('caller-after-await-q');
}
als.run('main', () => main().then(() => show('main-then')));
