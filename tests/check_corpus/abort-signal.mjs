// expect: loss
// loss: abort-signal.mjs:23 undefined
// pattern: event-target
// fix: abort-signal-fixed.mjs
// Graceful shutdown through a shared AbortSignal created at start-up. Each
// long-running request registers an 'abort' listener inside its run() to log
// "request cancelled"; EventTarget listeners run inside dispatchEvent, i.e. in
// the context of whoever calls abort() (a start-up timer here), so the log
// lines have no request id.
import { AsyncLocalStorage } from 'node:async_hooks';

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const shutdown = new AbortController();

function longPoll(id) {
  als.run({ req: id }, () => {
    log(`${id}:poll-start`, als.getStore());
    const timer = setTimeout(() => {}, 1000);
    shutdown.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      log(`${id}:cancelled`, als.getStore());
    }, { once: true });
  });
}

longPoll('A');
longPoll('B');

// the process receives its shutdown order from a start-up timer
setTimeout(() => {
  log('-:shutdown', als.getStore()); // expected-undefined
  shutdown.abort();
}, 5);
