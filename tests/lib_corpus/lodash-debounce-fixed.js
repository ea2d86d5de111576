// expect: clean
// pattern: debounce
'use strict';
// lodash-debounce.js fixed: every call passes an AsyncLocalStorage.snapshot()
// with its arguments, and the debounced/throttled function runs inside the
// one it is invoked with, i.e. the caller whose arguments it uses.
const { AsyncLocalStorage } = require('async_hooks');
const _ = require('lodash');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const autosave = _.debounce((id, inContext) => inContext(() => {
  log(`${id}:debounced-save`, als.getStore());
}), 10);
const reportUsage = _.throttle((id, inContext) => inContext(() => {
  log(`${id}:throttled-report`, als.getStore());
}), 10);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  autosave(id, AsyncLocalStorage.snapshot());
  reportUsage(id, AsyncLocalStorage.snapshot());
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
