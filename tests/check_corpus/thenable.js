// expect: clean
// pattern: thenable
'use strict';
// Custom thenables (a hand-written "query builder" that is awaitable, the way
// ORMs do it) awaited inside run(). V8 calls then() from a microtask queued by
// the await, and node 20 runs that microtask in the awaiting context, so then()
// itself, the timer it starts and the code after the await all keep the
// request's store. Same for a thenable returned from a then() callback and one
// passed to Promise.resolve().
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

class Query {
  constructor(id, sql) {
    this.id = id;
    this.sql = sql;
  }
  then(resolve, reject) {
    log(`${this.id}:then-called`, als.getStore());
    setTimeout(() => {
      log(`${this.id}:query-io`, als.getStore());
      resolve([{ sql: this.sql }]);
    }, 1);
  }
}

als.run({ req: 'A' }, async () => {
  const rows = await new Query('A', 'SELECT 1');
  log('A:after-await', als.getStore());
});

als.run({ req: 'B' }, () => {
  Promise.resolve()
    .then(() => new Query('B', 'SELECT 2'))
    .then((rows) => {
      log('B:after-returned-thenable', als.getStore());
    });
});

als.run({ req: 'C' }, () => {
  Promise.resolve(new Query('C', 'SELECT 3')).then((rows) => {
    log('C:after-promise-resolve', als.getStore());
  });
});
