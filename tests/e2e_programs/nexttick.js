// exit: 0
// process.nextTick ordering, nesting, arguments, and ticks scheduled from a timer.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ tick: 1 }, () => {
  process.nextTick(() => {
    show('tick-1');
    process.nextTick(() => show('tick-1-nested'));
  });
  process.nextTick((a, b) => show(`tick-args-${a}-${b}`), 'x', 'y');
});
process.nextTick(() => show('tick-top'));
als.run({ tick: 2 }, () => {
  setTimeout(() => {
    process.nextTick(() => show('tick-in-timeout'));
    Promise.resolve().then(() => show('promise-after-tick'));
  }, 1);
});
