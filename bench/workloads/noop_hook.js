'use strict';
// Preload for the "empty hook" baseline: one async hook with all five
// callbacks doing nothing, enabled at preload time like the recorder's.
require('async_hooks').createHook({
  init() {},
  before() {},
  after() {},
  destroy() {},
  promiseResolve() {},
}).enable();
