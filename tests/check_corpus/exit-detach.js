// expect: clean
// pattern: exit-detach
'use strict';
// A request deliberately detaches background work with als.exit(): the cache
// refresh it kicks off must not be attributed to the request. The reads inside
// exit() and in the detached timer return undefined on purpose; the request
// itself keeps its store before and after exit().
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const cache = new Map();
function refreshCache(key) {
  log('-:refresh-start', als.getStore()); // expected-undefined
  setTimeout(() => {
    cache.set(key, Date.now());
    log('-:refresh-done', als.getStore()); // expected-undefined
  }, 3);
}

function handle(id, key) {
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    if (!cache.has(key)) {
      als.exit(() => {
        log('-:in-exit', als.getStore()); // expected-undefined
        setImmediate(() => refreshCache(key));
      });
    }
    log(`${id}:after-exit`, als.getStore());
    setTimeout(() => {
      log(`${id}:respond`, als.getStore());
    }, 20);
  });
}

// traffic: B arrives after A has answered and the cache was refreshed
setTimeout(() => {
  handle('A', 'prices');
  setTimeout(() => handle('B', 'prices'), 40);
}, 1);
