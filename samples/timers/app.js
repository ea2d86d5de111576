'use strict';
// Nested timeouts, a self-clearing interval, setImmediate, nextTick and queueMicrotask.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

als.run({ t: 'timeouts' }, () => {
  setTimeout(() => {
    show('timeout-1');
    setTimeout(() => {
      show('timeout-2');
      setTimeout(() => show('timeout-3'), 1);
    }, 1);
  }, 1);
});

als.run({ t: 'interval' }, () => {
  let ticks = 0;
  const iv = setInterval(() => {
    ticks++;
    show(`interval-${ticks}`);
    if (ticks === 3) clearInterval(iv);
  }, 1);
});

als.run({ t: 'immediate' }, () => {
  setImmediate(() => {
    show('immediate');
    process.nextTick(() => show('nextTick-in-immediate'));
  });
});

als.run({ t: 'ticks' }, () => {
  process.nextTick(() => show('nextTick'));
  queueMicrotask(() => show('microtask'));
});

show('top-level');
