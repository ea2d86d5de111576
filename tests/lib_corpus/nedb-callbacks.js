// expect: clean
// pattern: embedded-db
'use strict';
// A correct program on @seald-io/nedb@4.1.2 (an embedded document DB with a
// callback API) that a wrong-store rule must not flag. Every operation of
// all requests goes through the datastore's one executor queue, so a
// request's find() runs after other requests' inserts; but nedb 4 chains the
// queue with native promises (then() called by each caller) and calls the
// callbacks from them, so each callback, and the code after `await` of the
// *Async twins, sees its own caller's store. The 'load' done at start-up
// reads undefined, as it should.
const { AsyncLocalStorage } = require('async_hooks');
const Datastore = require('@seald-io/nedb');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const carts = new Datastore({ inMemoryOnly: true });
carts.loadDatabase((err) => log('-:loaded', als.getStore())); // expected-undefined

function handle(id, delay) {
  log(`${id}:handler`, als.getStore());
  setTimeout(() => {
    carts.insert({ owner: id, item: 'apple' }, (err) => {
      log(`${id}:insert-callback`, als.getStore());
      carts.find({ owner: id }, (err2, docs) => {
        log(`${id}:find-callback`, als.getStore());
      });
    });
  }, delay);
  carts.countAsync({}).then(() => log(`${id}:count-then`, als.getStore()));
}

(async () => {
  for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id, 1));
  await als.run({ req: 'D' }, async () => {
    await carts.updateAsync({ owner: 'D' }, { owner: 'D', item: 'pear' }, { upsert: true });
    log('D:after-update', als.getStore());
  });
})();
