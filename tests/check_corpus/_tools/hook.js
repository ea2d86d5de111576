'use strict';
// Preload used by verify.js: an empty async hook enabled before the program
// starts, as any recorder loaded with --require does (see samples/observer-effect).
require('async_hooks').createHook({ init() {} }).enable();
