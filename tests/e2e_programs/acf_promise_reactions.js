// exit: 0
// Promise reactions: then() registered under store A on a promise resolved under store B, and the reverse.
// Same on every line: a reaction runs with the store current at then()/catch()/finally() registration, never the resolver's.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top');
// 1. created and then() under A, resolved later under B.
let resolve1;
const p1 = als.run('A-create', () => new Promise((r) => { resolve1 = r; }));
als.run('A-then', () => { p1.then(() => show('p1-then-registered-A-resolved-B')); });
als.run('B-resolve', () => { setTimeout(() => { als.enterWith('B-in-timer'); resolve1(1); }, 1); });
// 2. resolved first under B, then() registered later under A.
let resolve2;
const p2 = new Promise((r) => { resolve2 = r; });
als.run('B-resolve2', () => resolve2(2));
setTimeout(() => {
  als.run('A-then2', () => { p2.then(() => show('p2-then-registered-A-after-resolve-B')); });
}, 5);
// 3. chained: the second then() registered under another store than the first.
als.run('C1', () => {
  const q = Promise.resolve(3).then(() => show('q-first-C1'));
  als.run('C2', () => { q.then(() => show('q-second-C2')); });
});
// 4. catch/finally registered under A on a promise rejected under B.
let reject4;
const p4 = new Promise((_, j) => { reject4 = j; });
als.run('A-catch', () => {
  p4.catch(() => show('p4-catch-A')).finally(() => show('p4-finally-A'));
});
als.run('B-reject', () => setTimeout(() => reject4(new Error('x')), 10));
// 5. Promise.all on promises resolved under different stores.
als.run('D-all', () => {
  Promise.all([
    als.run('D1', () => Promise.resolve(1)),
    als.run('D2', () => new Promise((r) => setTimeout(r, 15))),
  ]).then(() => show('all-then-D'));
});
