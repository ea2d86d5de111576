// expect: clean
// pattern: shared-cache-entry
'use strict';
// A permissions cache shared by every request of a user: the first request
// (A) builds the entry, an object literal handed to Map#set under A's
// store; B and C, later and each in its own context, take the same entry
// and pass it to a top-level authorize() that reads the store. Each call
// runs for the request that makes it, so each reads its own store, which
// is right. (A rule that gave an object's store to every function handed
// the object would flag B and C here.)
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const permissions = new Map();

function authorize(entry, id) {
  log(`${id}:authorize`, als.getStore());
  return entry.roles.includes('reader');
}

function handle(id, delay) {
  setTimeout(() => {
    als.run({ req: id }, () => {
      if (!permissions.has('user-1')) permissions.set('user-1', { user: 'user-1', roles: ['reader'] });
      setImmediate(() => authorize(permissions.get('user-1'), id));
    });
  }, delay);
}

handle('A', 1);
handle('B', 5);
handle('C', 9);
