// exit: 0
// enterWith at ESM top level (module evaluation is itself async), plus top-level await.
import { AsyncLocalStorage } from 'node:async_hooks';
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
show('top-before');
als.enterWith({ esm: 'top' });
show('top-after-enterWith');
setTimeout(() => show('timer-from-top'), 1);
Promise.resolve().then(() => show('promise-from-top'));
await new Promise((r) => setTimeout(r, 2));
show('after-top-level-await');
als.run({ esm: 'run' }, () => setImmediate(() => show('immediate-in-run')));
show('end-of-module');
