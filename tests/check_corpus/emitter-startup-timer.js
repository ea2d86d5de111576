// expect: loss
// loss: emitter-startup-timer.js:37 undefined
// pattern: emitter
// fix: emitter-startup-timer-fixed.js
'use strict';
// Long-polling on a config watcher: a watcher started at start-up polls with
// setInterval and emits 'changed'. A request waits for the next change with a
// listener registered inside its run(); the listener runs inside emit(), in
// the start-up interval's context, so the request's store is gone (undefined).
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
    watcher.once('changed', (v) => {
      log(`${id}:poll-answer`, als.getStore());
      respond(v);
    });
  });
}

setTimeout(() => waitForChange('A', (v) => console.log(`A got version ${v}`)), 1);
