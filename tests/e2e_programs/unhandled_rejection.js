// exit: 0
// unhandledRejection handler (and a rejection handled late -> rejectionHandled).
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
process.on('unhandledRejection', (reason, p) => {
  show(`unhandledRejection-${reason.message}`);
  if (reason.message === 'late') setTimeout(() => p.catch(() => show('late-catch')), 1);
});
process.on('rejectionHandled', () => show('rejectionHandled'));
als.run({ r: 1 }, () => {
  Promise.reject(new Error('sync'));
});
als.run({ r: 2 }, async () => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  Promise.reject(new Error('late')); // handled 1 ms after the warning
});
als.run({ r: 3 }, () => {
  Promise.reject(new Error('handled')).catch(() => show('handled-catch'));
});
