// exit: 0
// new AsyncLocalStorage({ defaultValue, name }) (node 24+), and withScope()+`using` where the line has it.
// 20/22/22acf: no defaultValue/name/withScope. 24h/26h: exit() gives the default, after a top-level run() undefined; 24/26 (ACF): exit() gives undefined, after a top-level run() the default (run() stores the default it read).
const { AsyncLocalStorage } = require('async_hooks');
const fmt = (v) => (v === undefined ? 'undefined' : JSON.stringify(v));
const als = new AsyncLocalStorage({ defaultValue: 'dflt', name: 'n' });
const show = (l) => console.log(`STORE ${l} ${fmt(als.getStore())}`);
console.log(`INFO name ${als.name === undefined ? 'none' : als.name}`);
show('fresh');
als.run('r', () => {
  show('in-run');
  als.exit(() => show('exit-in-run'));
  als.run(undefined, () => show('run-undefined'));
  setTimeout(() => show('timer-in-run'), 1); // timers 10+ ms apart: fixed order
});
show('after-run');
setTimeout(() => {
  als.disable();
  show('after-disable');
  als.run('r2', () => show('run-after-disable'));
  show('after-run-after-disable');
}, 25);
if (typeof als.withScope === 'function') {
  let hasUsing = false;
  try { new Function('x', '{ using y = x; }'); hasUsing = true; } catch {}
  console.log(`INFO withScope yes using ${hasUsing ? 'yes' : 'no'}`);
  const s = new AsyncLocalStorage();
  const sshow = (l) => console.log(`STORE ${l} ${fmt(s.getStore())}`);
  if (hasUsing) {
    new Function('s', 'sshow', `{
      using scope = s.withScope('scoped');
      sshow('in-using-scope');
      setTimeout(() => sshow('timer-in-using-scope'), 12);
    }
    sshow('after-using-scope');`)(s, sshow);
  } else {
    const scope = s.withScope('scoped');
    sshow('in-scope');
    scope[Symbol.dispose]();
    sshow('after-scope');
  }
} else {
  console.log('INFO withScope no');
}
