// expect: loss
// loss: emitter-cross-request.js:40 wrong
// pattern: emitter
// fix: emitter-cross-request-fixed.js
'use strict';
// Request coalescing through a shared EventEmitter: the first request for a key
// computes the value, later requests for the same key wait for a 'filled:<key>'
// event. The waiter's listener is registered inside its own run(), but
// listeners run synchronously inside emit(), i.e. in the *filling* request's
// context: r2 sees r1's store.
const { EventEmitter } = require('events');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const bus = new EventEmitter(); // shared by all requests, created at start-up
const cache = new Map();
const filling = new Set();

function getReport(key, callback) {
  if (cache.has(key)) return callback(cache.get(key));
  if (filling.has(key)) {
    bus.once(`filled:${key}`, (value) => callback(value));
    return;
  }
  filling.add(key);
  setTimeout(() => {
    cache.set(key, `report for ${key}`);
    filling.delete(key);
    bus.emit(`filled:${key}`, cache.get(key));
    callback(cache.get(key));
  }, 10);
}

function handleRequest(id, key) {
  als.run({ req: id, key }, () => {
    log(`${id}:start`, als.getStore());
    getReport(key, (report) => {
      log(`${id}:report-ready`, als.getStore());
    });
  });
}

// traffic: r2 arrives while r1 fills the cache, r3 after it is filled
setTimeout(() => {
  handleRequest('r1', 'daily');
  setTimeout(() => handleRequest('r2', 'daily'), 2);
  setTimeout(() => handleRequest('r3', 'daily'), 30);
}, 1);
