// expect: clean
// pattern: shared-cache-entry
'use strict';
// A profile cache shared by every request: the first request (A) builds the
// profile, an object literal handed to Map#set under A's store. Later
// requests, each in its own context, emit 'viewed' with the cached profile;
// the top-level listener runs inside that emit, for the request that emits,
// so each reads its own store, which is right. (A rule that gave
// an object's store to every function a library or node hands it to would
// flag B and C here: EventEmitter runs listeners for whoever emits.)
const { EventEmitter } = require('events');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const profiles = new Map();
const bus = new EventEmitter();

function onViewed(profile, id) {
  log(`${id}:viewed`, als.getStore());
}
bus.on('viewed', onViewed);

function handle(id, delay, view) {
  setTimeout(() => {
    als.run({ req: id }, () => {
      if (!profiles.has('u1')) profiles.set('u1', { name: 'u1', plan: 'pro' });
      if (view) setImmediate(() => bus.emit('viewed', profiles.get('u1'), id));
    });
  }, delay);
}

handle('A', 1, false); // signs up: builds the profile, views nothing
handle('B', 5, true);
handle('C', 9, true);
