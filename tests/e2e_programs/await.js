// exit: 0
// async/await: await promise, await non-promise, await rejected, nested async functions.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
async function inner() {
  show('inner-sync');
  await new Promise((r) => setTimeout(r, 1));
  show('inner-after-timer');
  return 5;
}
async function outer() {
  show('outer-sync');
  await 1;
  show('outer-after-value');
  await inner();
  show('outer-after-inner');
  try { await Promise.reject(new Error('no')); } catch { show('outer-catch'); }
}
als.run({ a: 1 }, () => outer()).then(() => show('then-of-outer'));
als.run({ a: 2 }, async () => { await null; show('arrow-after-await'); });
