'use strict';
// An uncaughtException handler catching a throw from a timer callback.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

process.on('uncaughtException', (err) => {
  show('uncaughtException-handler');
  console.log('caught', err.message);
  setTimeout(() => show('timer-from-handler'), 1);
});

als.run({ requestId: 1 }, () => {
  setTimeout(() => {
    show('timer-before-throw');
    throw new Error('boom in timer');
  }, 1);
});

als.run({ requestId: 2 }, () => {
  setTimeout(() => show('other-timer'), 3);
});
