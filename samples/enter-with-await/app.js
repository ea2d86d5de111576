'use strict';
// enterWith() after an await only affects the rest of that async function:
// the caller, resumed by its own await, does not see the store.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

async function authenticate() {
  await null; // anything async before enterWith
  als.enterWith({ user: 'alice' });
  show('inside-after-enterWith');
  await new Promise((r) => setTimeout(r, 1));
  show('inside-after-second-await');
}

async function handler() {
  show('caller-before');
  await authenticate();
  show('caller-after-await'); // {"requestId":7}: the caller never sees the user
  setTimeout(() => show('caller-timeout'), 1);
}

als.run({ requestId: 7 }, () => handler()).then(() => show('then-of-handler'));
