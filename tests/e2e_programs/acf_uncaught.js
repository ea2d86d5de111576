// exit: 0
// uncaughtException handlers reading the store: thrown after enterWith() in a timer, inside run(), from nextTick, a microtask and an emit.
// Same on all lines: the handler sees the throwing callback's store, enterWith included; except a throw from a queueMicrotask callback:
// async_hooks lines give undefined, ACF the store current at the queueMicrotask() call ("micro", not the enterWith inside the callback).
const { AsyncLocalStorage } = require('async_hooks');
const { EventEmitter } = require('events');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.enterWith('top');
const phases = [];
const next = () => { const f = phases.shift(); if (f) setImmediate(f); };
als.run('handler-registered', () => process.on('uncaughtException', (e) => {
  show(`uncaught-${e.message}`);
  setImmediate(() => { show(`immediate-from-handler-${e.message}`); next(); });
}));
phases.push(() => als.run('A', () => setTimeout(() => { als.enterWith('B'); throw new Error('timer-after-enterWith'); }, 1)));
phases.push(() => als.run('A2', () => setTimeout(() => { als.run('C', () => { throw new Error('timer-inside-run'); }); }, 1)));
phases.push(() => als.run('tick', () => process.nextTick(() => { als.enterWith('tick-entered'); throw new Error('nexttick'); })));
phases.push(() => als.run('micro', () => queueMicrotask(() => { als.enterWith('micro-entered'); throw new Error('microtask'); })));
phases.push(() => {
  const ee = als.run('ee-create', () => new EventEmitter());
  als.run('ee-listen', () => ee.on('x', () => { throw new Error('listener'); }));
  als.run('ee-emit', () => setTimeout(() => ee.emit('x'), 1));
});
next();
