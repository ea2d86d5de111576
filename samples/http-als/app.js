'use strict';
// An HTTP server that keeps a per-request { requestId } in AsyncLocalStorage.
const http = require('http');
const fs = require('fs');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

let nextId = 1;
const server = http.createServer((req, res) => {
  als.run({ requestId: nextId++ }, () => {
    show('handler');
    setTimeout(() => {
      show('timeout');
      Promise.resolve().then(() => {
        show('promise');
        fs.readFile(__filename, (err) => {
          if (err) throw err;
          show('readFile');
          res.end('ok\n');
        });
      });
    }, 1);
  });
});

function get(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let i = 0; i < 3; i++) await get(port);
  show('client-done');
  server.close(() => console.log('closed'));
});
