// expect: clean
// pattern: shared-logger
'use strict';
// A correct program on pino@10.4.0 that a wrong-store rule must not flag: one
// logger singleton, created at start-up, is shared by every request and by a
// start-up metrics timer. Its mixin() reads the store at each log call, so
// request lines get their request's id and the timer's line gets none
// (undefined, expected: the mixin read serves both). The log lines go to an
// in-memory destination.
const { AsyncLocalStorage } = require('async_hooks');
const pino = require('pino');

const als = new AsyncLocalStorage();
const log = (label, v) => { console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); return v; };

const lines = [];
const logger = pino({
  base: null,
  // `expect` (who the caller serves) is only there for the STORE label.
  mixin(mergeObject) { return { req: log(`${mergeObject.expect}:mixin`, als.getStore())?.req }; },
}, { write: (line) => lines.push(line) });

setTimeout(() => logger.info({ expect: '-' }, 'heap sampled'), 20);

async function handle(id) {
  logger.info({ expect: id }, 'request started');
  await new Promise((resolve) => setTimeout(resolve, 2));
  const child = logger.child({ route: '/cart' });
  child.info({ expect: id }, 'cart loaded');
  log(`${id}:handler`, als.getStore());
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
process.on('exit', () => console.log(`${lines.length} log lines, ${lines.filter((l) => l.includes('"req"')).length} with a request id`));
