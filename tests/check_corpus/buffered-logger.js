// expect: loss
// loss: buffered-logger.js:25 undefined
// pattern: interval-flush
// fix: buffered-logger-fixed.js
'use strict';
// A buffered logger: info() only queues the message, a setInterval started at
// start-up flushes the buffer and stamps each line with the current request id
// at *flush* time. The interval has no store, so every line loses its id.
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
    this.buffer.push({ message, origin, time: this.buffer.length });
  }
  flush() {
    for (const entry of this.buffer.splice(0)) {
      log(`${entry.origin}:flush-line`, als.getStore());
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
