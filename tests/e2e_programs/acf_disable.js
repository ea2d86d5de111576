// exit: 0
// disable() then a later run(); timers/promises created before disable() (in the same frame and in another) run after it.
// async_hooks: everything is undefined until the later run(), then old resources show their stores again; ACF: disable() only strips the current frame (timers/promises from other frames keep 'before'; run()'s exit re-adds 'before'), and resources of that frame lose it for good.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
// Timer delays are 15 ms apart so their order is fixed.
let resolveP;
let resolveSame;
als.run('before', () => {
  // Created before disable(), in a frame disable() does not touch.
  new Promise((r) => { resolveP = r; }).then(() => show('promise-created-before-disable'));
  setTimeout(() => show('timer-created-before-disable-fired-disabled'), 15);
  setTimeout(() => show('timer-created-before-disable-fired-after-rerun'), 45);
  als.run('same-frame', () => {
    // Created in the very frame that disable() runs in.
    new Promise((r) => { resolveSame = r; }).then(() => show('promise-created-in-disable-frame'));
    setTimeout(() => show('timer-created-in-disable-frame-fired-disabled'), 15);
    setTimeout(() => show('timer-created-in-disable-frame-fired-after-rerun'), 45);
    als.disable();
    show('after-disable-in-run');
    setImmediate(() => show('immediate-created-while-disabled'));
  });
  show('after-run-that-disabled');
  setTimeout(() => show('timer-created-after-run-that-disabled'), 15);
});
show('top-after-disable');
setTimeout(() => { resolveP(); resolveSame(); }, 15);
setTimeout(() => {
  als.run('rerun', () => {
    show('in-rerun');
    setTimeout(() => show('timer-created-in-rerun'), 30);
  });
  show('after-rerun');
}, 30);
