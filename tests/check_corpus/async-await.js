// expect: clean
// pattern: async-await
'use strict';
// An async HTTP handler run inside run(): awaits on timers/promises, fs.promises,
// Promise.all of async sub-tasks, an async generator, setImmediate and
// queueMicrotask. Two requests, one after the other; each read sees its own
// store.
const http = require('http');
const fsp = require('fs/promises');
const { setTimeout: sleep, setImmediate: nextLoop } = require('timers/promises');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

async function loadProfile(id) {
  await sleep(4);
  log(`${id}:profile`, als.getStore());
  return { id };
}
async function loadPrefs(id) {
  await sleep(1);
  log(`${id}:prefs`, als.getStore());
  return { lang: 'en' };
}
async function loadOrders(id) {
  const text = await fsp.readFile(__filename, 'utf8');
  log(`${id}:orders`, als.getStore());
  return text.length;
}
async function* pages(id) {
  for (let i = 0; i < 2; i++) {
    await nextLoop();
    yield i;
  }
}

async function handle(id, res) {
  const orders = await loadOrders(id);
  const [profile, prefs] = await Promise.all([loadProfile(id), loadPrefs(id)]);
  log(`${id}:after-all`, als.getStore());
  for await (const page of pages(id)) {
    if (page === 1) log(`${id}:page`, als.getStore());
  }
  queueMicrotask(() => {
    log(`${id}:microtask`, als.getStore());
    res.end(JSON.stringify({ profile, prefs, orders }));
  });
}

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  als.run({ req: id }, () => handle(id, res));
});

server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  const get = (id, done) => http.get(`${base}/${id}`, { agent: false }, (res) => {
    res.resume();
    res.on('end', done);
  });
  get('A', () => get('B', () => server.close()));
});
