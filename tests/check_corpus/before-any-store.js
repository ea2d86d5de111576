// expect: clean
// pattern: before-any-store
'use strict';
// Code that reads the store before any store exists: module initialisation,
// the start-up config read and the server's 'listening' callback. They get
// undefined, which is right: no request is involved. Then a normal request
// flow with run(), a file read and a timer, which keeps its store.
const fs = require('fs');
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

log('-:module-init', als.getStore()); // expected-undefined

let config = null;
fs.readFile(__filename, 'utf8', (err, text) => {
  log('-:config-loaded', als.getStore()); // expected-undefined
  config = { lines: text.split('\n').length };
  server.listen(0, '127.0.0.1', onListening);
});

const server = http.createServer((req, res) => {
  als.run({ req: 'A', path: req.url }, () => {
    log('A:handler', als.getStore());
    fs.stat(__filename, (err, st) => {
      log('A:stat', als.getStore());
      setTimeout(() => {
        log('A:respond', als.getStore());
        res.end(JSON.stringify({ size: st.size, config }));
      }, 1);
    });
  });
});

function onListening() {
  log('-:listening', als.getStore()); // expected-undefined
  http.get(`http://127.0.0.1:${server.address().port}/a`, { agent: false }, (res) => {
    res.resume();
    res.on('end', () => server.close());
  });
}
