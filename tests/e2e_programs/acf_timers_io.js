// exit: 0
// Timers (setTimeout, setInterval with enterWith in its callback, setImmediate, nextTick, queueMicrotask) and fs/net I/O callbacks.
// async_hooks: enterWith() in an interval callback is seen by its next ticks (and a sibling nextTick); ACF: not. Server-side socket events are undefined on every line (the socket is created outside any callback).
const { AsyncLocalStorage } = require('async_hooks');
const fs = require('fs');
const net = require('net');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
// Phases run one after another so the output order does not depend on timing.
const phases = [];
const next = () => { const f = phases.shift(); if (f) setImmediate(f); };
als.enterWith('top');
phases.push(() => als.run('interval', () => {
  let n = 0;
  const iv = setInterval(() => {
    n++;
    show(`interval-tick-${n}`);
    if (n === 1) als.enterWith('entered-in-interval');
    if (n === 3) { clearInterval(iv); next(); }
  }, 1);
}));
phases.push(() => {
  als.run('immediate', () => setImmediate(() => {
    show('immediate');
    als.enterWith('entered-in-immediate');
    setImmediate(() => { show('immediate-child'); next(); });
  }));
  als.run('nexttick', () => process.nextTick(() => { show('nexttick'); als.enterWith('entered-in-nexttick'); }));
  als.run('microtask', () => queueMicrotask(() => { show('microtask'); als.enterWith('entered-in-microtask'); queueMicrotask(() => show('microtask-child')); }));
  process.nextTick(() => show('nexttick-sibling-after-entered-nexttick'));
});
phases.push(() => als.run('timeout', () => setTimeout(() => {
  show('timeout');
  als.enterWith('entered-in-timeout');
  setTimeout(() => { show('timeout-child'); next(); }, 1);
}, 1)));
phases.push(() => als.run('fs', () => fs.readFile(__filename, () => {
  show('fs-readFile-cb');
  als.enterWith('entered-in-fs');
  fs.stat(__filename, () => { show('fs-stat-from-fs-cb'); next(); });
})));
phases.push(() => als.run('fs-promise', async () => {
  await fs.promises.stat(__filename);
  show('fs-promises-after-await');
  next();
}));
phases.push(() => {
  const server = als.run('server', () => net.createServer((sock) => {
    show('net-connection');
    sock.on('data', () => { show('net-server-data'); sock.end('bye'); });
  }));
  als.run('listen', () => server.listen(0, '127.0.0.1', () => {
    show('net-listening');
    const c = als.run('client', () => net.connect(server.address().port, '127.0.0.1', () => {
      show('net-client-connect');
      als.enterWith('entered-in-connect');
      c.write('hi');
    }));
    c.on('data', () => show('net-client-data'));
    c.on('close', () => { show('net-client-close'); server.close(() => show('net-server-closed')); });
  }));
});
next();
