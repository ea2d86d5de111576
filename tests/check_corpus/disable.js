// expect: clean
// expect@acf: loss
// loss@acf: disable.js:23 wrong
// pattern: disable
'use strict';
// Graceful shutdown: after the last request als.disable() drops every store; timers the requests scheduled fire later and read undefined,
// as intended (no run() follows). On AsyncContextFrame runtimes disable() only deletes the store from the current frame (B's): A's timer reads A.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

let open = 0;
function handle(id) {
  open++;
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    setTimeout(() => {
      log(`${id}:respond`, als.getStore());
      open--;
      // late metrics flush, scheduled by the request but running after shutdown
      setTimeout(() => {
        log('-:late-metrics', als.getStore()); // expected-undefined
      }, 10);
      if (open === 0) shutdown();
    }, 2);
  });
}

function shutdown() {
  als.disable();
  log('-:after-disable', als.getStore()); // expected-undefined
  process.nextTick(() => {
    log('-:shutdown-tick', als.getStore()); // expected-undefined
  });
}

handle('A');
handle('B');
