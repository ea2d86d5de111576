// exit: 130
// A program's own SIGTERM listener runs inside the signal's SIGNALWRAP
// callback (the recorder's resource too): enterWith() there sticks to it.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ s: 'handler' }, () => process.on('SIGTERM', () => {
  show('sigterm');
  als.enterWith({ s: 'entered-in-signal' });
  setTimeout(() => { show('after-sigterm'); process.kill(process.pid, 'SIGINT'); }, 2);
}));
als.run({ s: 'kill' }, () => setTimeout(() => process.kill(process.pid, 'SIGTERM'), 2));
setInterval(() => {}, 1000);
