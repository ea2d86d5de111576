// exit: 0
// setInterval that clears itself after 3 ticks; timer.refresh(); unref'd interval.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ iv: 1 }, () => {
  let n = 0;
  const iv = setInterval(() => {
    n++;
    show(`interval-${n}`);
    if (n === 3) clearInterval(iv);
  }, 1);
});
als.run({ iv: 2 }, () => {
  let refreshed = false;
  const t = setTimeout(() => show('refreshed-timeout'), 20);
  setTimeout(() => { if (!refreshed) { refreshed = true; t.refresh(); show('did-refresh'); } }, 1);
  setInterval(() => {}, 1000).unref(); // never fires, never blocks exit
});
