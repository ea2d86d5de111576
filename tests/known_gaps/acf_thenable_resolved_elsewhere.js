// Known gap (AsyncContextFrame only): node 24/26 print "resolver", the model
// predicts "create". resolve(thenable) queues V8's thenable job with the
// frame current at the resolve, but emits no hook event there (promiseResolve
// comes only when the thenable calls back), so the trace does not show the
// resolve's context. On async_hooks lines node prints "create" too.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
let resolve;
const p = als.run('create', () => new Promise((r) => { resolve = r; }));
p.then(() => {});
als.run('resolver', () => setTimeout(() => resolve({ then(res) { console.log(`STORE then-called ${als.getStore()}`); res(); } }), 1));
