// expect: loss
// loss: lodash-debounce.js:19 wrong
// loss: lodash-debounce.js:22 wrong
// pattern: debounce
// fix: lodash-debounce-fixed.js
'use strict';
// lodash@4.18.1 debounce/throttle shared by all requests. The trailing call
// runs with the LAST caller's arguments (C) from the timer that the FIRST
// call created (A's context): the debounced autosave and the throttled usage
// report made for C see A's store. The throttle's leading call (A) runs
// synchronously in A's own context.
const { AsyncLocalStorage } = require('async_hooks');
const _ = require('lodash');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const autosave = _.debounce((id) => {
  log(`${id}:debounced-save`, als.getStore());
}, 10);
const reportUsage = _.throttle((id) => {
  log(`${id}:throttled-report`, als.getStore());
}, 10);

function handle(id) {
  log(`${id}:handler`, als.getStore());
  autosave(id);
  reportUsage(id);
}

for (const id of ['A', 'B', 'C']) als.run({ req: id }, () => handle(id));
