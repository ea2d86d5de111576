// exit: 0
// unhandledRejection / rejectionHandled handlers reading the store; promise created under A, rejected under B.
// async_hooks: unhandledRejection sees the store where the promise was created (A-create, D-async); ACF: the store current when it was rejected (B-entered, D-entered). rejectionHandled: undefined everywhere.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top');
const registry = new Map();
als.run('handler-registered', () => {
  process.on('unhandledRejection', (err, p) => {
    show(`unhandledRejection-${err.message}`);
    registry.set(err.message, p);
    if (err.message === 'late') setTimeout(() => als.run('catch-late', () => p.catch(() => show('late-catch-callback'))), 1);
  });
  process.on('rejectionHandled', () => show('rejectionHandled'));
});
// Created under A, rejected under B from a timer.
let rejectA;
als.run('A-create', () => { new Promise((_, j) => { rejectA = j; }); });
als.run('B-reject-ctx', () => setTimeout(() => { als.enterWith('B-entered'); rejectA(new Error('created-A-rejected-B')); }, 1));
// Rejected synchronously inside run() under C.
als.run('C-sync', () => { Promise.reject(new Error('sync-in-C')); });
// Rejection from an async function under D, after an await.
als.run('D-async', async () => { await null; als.enterWith('D-entered'); throw new Error('async-D'); });
// A then() derived promise: the parent is rejected under E, the derived one has no handler.
als.run('E-parent', () => {
  const p = Promise.reject(new Error('late'));
  registry.set('late-parent', p);
});
