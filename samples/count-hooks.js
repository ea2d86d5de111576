// Quick size estimate for a sample: node --require ./samples/count-hooks.js samples/<name>/app.js
// Prints one HOOKS line (event totals and resource types) to stderr at exit, per thread.
const ah = require('async_hooks');
const fs = require('fs');
const counts = { init: 0, before: 0, after: 0, destroy: 0, promiseResolve: 0 };
const types = {};
ah.createHook({
  init(id, type) { counts.init++; types[type] = (types[type] || 0) + 1; },
  before() { counts.before++; }, after() { counts.after++; },
  destroy() { counts.destroy++; }, promiseResolve() { counts.promiseResolve++; },
}).enable();
process.on('exit', () => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  fs.writeSync(2, `HOOKS total=${total} ${JSON.stringify(counts)} ${JSON.stringify(types)}\n`);
});
