// expect: clean
// pattern: startup-timer
'use strict';
// Source text a bracket counter misreads. Start-up code warms a cache
// inside run() with a boot context and escapes '(' with a regular
// expression; a helper further down strips ')' with another. A stats
// reporter started at start-up, written between the two, never works for a
// request (its undefined is expected). Counting the regular expressions'
// brackets as code, check's scanner put the reporter inside the argument
// list of the boot run() call and reported its read as a lost context (a
// false alarm); the recorder's parser knows where run()'s arguments end.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const cache = new Map();
als.run({ req: 'boot' }, () => {
  cache.set('greeting', 'hello (world)'.replace(/[(]/g, '%28')); // a lone '(' in a regular expression
  log('boot:warmup', als.getStore());
});

let served = 0;
let reports = 0;
const reporter = setInterval(function report() {
  if (reports++ === 0) log('-:stats', als.getStore()); // expected-undefined
}, 2);

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    setTimeout(() => {
      log(`${id}:respond`, als.getStore());
      res.end(`${cache.get('greeting')} ${id}\n`);
      if (++served === 2) { clearInterval(reporter); server.close(); }
    }, 1);
  });
});

const untrail = (s) => s.replace(/[)]+$/, ''); // a lone ')' in a regular expression

server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  http.get(`${base}/${untrail('A)')}`, { agent: false }, (r) => {
    r.resume();
    r.on('end', () => http.get(`${base}/B`, { agent: false }, (r2) => r2.resume()));
  });
});
