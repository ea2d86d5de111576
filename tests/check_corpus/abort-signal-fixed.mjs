// expect: clean
// pattern: event-target
// abort-signal.mjs fixed: each request registers its 'abort' listener bound
// with AsyncResource.bind, so "request cancelled" is logged with the request's
// store although a start-up timer calls abort().
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const shutdown = new AbortController();

function longPoll(id) {
  als.run({ req: id }, () => {
    log(`${id}:poll-start`, als.getStore());
    const timer = setTimeout(() => {}, 1000);
    shutdown.signal.addEventListener('abort', AsyncResource.bind(() => {
      clearTimeout(timer);
      log(`${id}:cancelled`, als.getStore());
    }), { once: true });
  });
}

longPoll('A');
longPoll('B');

// the process receives its shutdown order from a start-up timer
setTimeout(() => {
  log('-:shutdown', als.getStore()); // expected-undefined
  shutdown.abort();
}, 5);
