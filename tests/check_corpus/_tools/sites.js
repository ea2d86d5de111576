'use strict';
// Preload used by verify.js only (not part of the corpus): after every
// AsyncLocalStorage#getStore() called from the program under test, writes
// "@GETSTORE <line>" to stdout synchronously, so the STORE line the program
// prints next can be attributed to the source line of the getStore() call.
// It creates no async resources and does not enable any async hook.
const { AsyncLocalStorage } = require('async_hooks');
const fs = require('fs');
const target = process.env.CORPUS_PROGRAM;
const original = AsyncLocalStorage.prototype.getStore;
AsyncLocalStorage.prototype.getStore = function getStore() {
  const value = original.call(this);
  const holder = {};
  Error.captureStackTrace(holder, getStore);
  const frame = String(holder.stack).split('\n')[1] || '';
  const m = /(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?\s*$/.exec(frame);
  if (m && m[1] === target) fs.writeSync(1, `@GETSTORE ${m[2]}\n`);
  return value;
};
