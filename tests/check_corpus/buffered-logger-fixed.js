// expect: clean
// pattern: interval-flush
'use strict';
// buffered-logger.js fixed: info() takes an AsyncLocalStorage.snapshot() with
// each message and the flush formats the line inside it, so each line gets the
// id of the request that logged it.
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

class BufferedLogger {
  constructor(intervalMs) {
    this.buffer = [];
    this.timer = setInterval(() => this.flush(), intervalMs);
  }
  // `origin` only labels the STORE line; a real logger would not have it
  info(message, origin) {
    this.buffer.push({ message, origin, inContext: AsyncLocalStorage.snapshot() });
  }
  flush() {
    for (const entry of this.buffer.splice(0)) {
      entry.inContext(() => {
        log(`${entry.origin}:flush-line`, als.getStore());
      });
    }
  }
  close() {
    this.flush();
    clearInterval(this.timer);
  }
}
const logger = new BufferedLogger(5);

function handleOrder(id, amount) {
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    logger.info(`charging ${amount}`, id);
    setTimeout(() => logger.info(`charged ${amount}`, id), 3);
  });
}

// traffic: A and B arrive together; shut down well after both finished
setTimeout(() => {
  handleOrder('A', 10);
  handleOrder('B', 25);
  setTimeout(() => logger.close(), 30);
}, 1);
