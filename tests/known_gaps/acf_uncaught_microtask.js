// Known gap (AsyncContextFrame only): node 24/26 print "micro", the model
// predicts undefined. Node reports the throw from inside the microtask's
// runInAsyncScope(), after emitting `after` for it, but the frame is only
// restored when runInAsyncScope() returns, after the handler ran; the
// trace's `after` makes the model restore it too early. async_hooks lines
// print undefined, as the model predicts.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
process.on('uncaughtException', () => console.log(`STORE uncaught ${als.getStore()}`));
als.run('micro', () => queueMicrotask(() => { throw new Error('x'); }));
