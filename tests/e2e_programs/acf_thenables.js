// exit: 0
// Thenables: await of a custom thenable; a thenable returned from a then() callback (after enterWith() and inside run()).
// async_hooks lines: a thenable's then() runs with the store of the promise's creation; ACF (22acf, 24, 26): with the store current when the handler returned it.
// resolve(thenable) from elsewhere (a timer, an async function's return) is a known gap of the model on ACF: tests/known_gaps/.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
// Phases run one after another so the output order does not depend on timer coalescing.
const phases = [];
const next = () => { const f = phases.shift(); if (f) setImmediate(() => f(next)); };
const mk = (label, done) => ({
  then(res) { show(`${label}-then-called`); setTimeout(() => { show(`${label}-then-timer`); res(label); if (done) done(); }, 1); },
});
const sync = (label) => ({ then(res) { show(`${label}-then-called`); res(label); } });
als.enterWith('top');
phases.push((done) => als.run('await-ctx', async () => {
  const v = await mk('awaited');
  show(`after-await-${v}`);
  const w = await sync('awaited-sync');
  show(`after-await-${w}`);
  done();
}));
// Thenable returned from a then() callback (created inside a nested run()).
phases.push((done) => als.run('chain', () => {
  Promise.resolve().then(() => als.run('inside-cb', () => mk('returned'))).then((v) => { show(`chain-after-${v}`); done(); });
}));
// Promise.resolve(thenable) under one store, then() under another.
phases.push((done) => {
  const r = als.run('presolve', () => Promise.resolve(sync('promise-resolve-arg')));
  als.run('presolve-then', () => r.then((v) => { show(`presolve-then-${v}`); done(); }));
});
// enterWith() inside an async function right before awaiting a thenable.
phases.push((done) => als.run('await-entered', async () => {
  als.enterWith('entered-before-await');
  const v = await sync('await-after-enterWith');
  show(`after-await-${v}`);
  done();
}));
// A then() callback that enterWith()s and returns a thenable.
phases.push((done) => als.run('then-cb', () => {
  Promise.resolve().then(() => { als.enterWith('entered-in-then-cb'); return sync('returned-after-enterWith'); }).then((v) => { show(`then-cb-after-${v}`); done(); });
}));
next();
