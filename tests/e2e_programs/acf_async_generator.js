// exit: 0
// Async generators and for-await: the generator body's store on each resumption vs the store of the next() caller.
// Same on every line: each generator resumption runs with the next() caller's store; enterWith() in a for-await body reaches the generator.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top');
async function* gen() {
  show('gen-first-resume');
  yield 1;
  show('gen-second-resume');
  await null;
  show('gen-after-await');
  als.enterWith('entered-in-gen');
  yield 2;
  show('gen-third-resume');
}
const g = als.run('gen-create', () => gen());
(async () => {
  await als.run('next-1', () => g.next());
  show('caller-after-next-1');
  await als.run('next-2', () => g.next());
  show('caller-after-next-2');
  await als.run('next-3', () => g.next());
  show('caller-after-next-3');
  await als.run('for-await', async () => {
    for await (const v of (async function* () { show('inner-gen-start'); yield 1; await new Promise((r) => setTimeout(r, 1)); show('inner-gen-after-timer'); yield 2; })()) {
      show(`for-await-body-${v}`);
      als.enterWith(`entered-in-body-${v}`);
    }
    show('after-for-await');
  });
  show('caller-end');
})();
