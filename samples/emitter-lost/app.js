'use strict';
// An EventEmitter listener registered inside one request runs in the context of
// whoever calls emit(), not the context it was registered in.
const { EventEmitter } = require('events');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

const bus = new EventEmitter(); // shared, created at start-up

als.run({ requestId: 1 }, () => {
  show('register');
  bus.on('job-done', (n) => show(`listener-${n}`));
});

// emitted from another request: the listener sees request 2's store
als.run({ requestId: 2 }, () => {
  setTimeout(() => {
    show('emit-from-request-2');
    bus.emit('job-done', 'a');
  }, 1);
});

// emitted from outside any request: the listener sees no store at all
setImmediate(() => bus.emit('job-done', 'b'));
