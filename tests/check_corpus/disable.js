// expect: clean
// pattern: disable
'use strict';
// Graceful shutdown: after the last request the app calls als.disable() to drop
// every store. A timer the request had scheduled fires after that and reads
// undefined, which is what disable() is for. (No run() follows, which would
// re-enable the storage and bring the old stores back.)
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
