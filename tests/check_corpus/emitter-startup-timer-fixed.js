// expect: clean
// pattern: emitter
'use strict';
// emitter-startup-timer.js fixed: the request takes an
// AsyncLocalStorage.snapshot() when it starts waiting and runs its listener's
// body inside it, so the answer is written with the request's store although
// the start-up interval emits. The start-up subscriber still sees no store.
const { EventEmitter } = require('events');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const watcher = new EventEmitter();
let version = 1;
let polls = 0;
const poller = setInterval(() => {
  polls++;
  if (polls === 3) {
    version++;
    watcher.emit('changed', version);
  }
  if (polls === 5) clearInterval(poller);
}, 4);

// process-wide subscriber registered at start-up: no request involved
watcher.on('changed', (v) => {
  log('-:reload-config', als.getStore()); // expected-undefined
});

function waitForChange(id, respond) {
  als.run({ req: id }, () => {
    log(`${id}:poll-start`, als.getStore());
    const inRequest = AsyncLocalStorage.snapshot();
    watcher.once('changed', (v) => inRequest(() => {
      log(`${id}:poll-answer`, als.getStore());
      respond(v);
    }));
  });
}

setTimeout(() => waitForChange('A', (v) => console.log(`A got version ${v}`)), 1);
