'use strict';
// Thread-pool work: zlib.gzip/gunzip and crypto.pbkdf2/randomBytes callbacks.
const zlib = require('zlib');
const crypto = require('crypto');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

als.run({ op: 'zlib' }, () => {
  zlib.gzip('hello hello hello hello', (err, gz) => {
    if (err) throw err;
    show('gzip');
    zlib.gunzip(gz, (err2, raw) => {
      if (err2) throw err2;
      show('gunzip');
      console.log('roundtrip', raw.toString());
    });
  });
});

als.run({ op: 'crypto' }, () => {
  crypto.pbkdf2('secret', 'salt', 1000, 16, 'sha256', (err, key) => {
    if (err) throw err;
    show('pbkdf2');
    console.log('key', key.toString('hex'));
    crypto.randomBytes(8, (err2, buf) => {
      if (err2) throw err2;
      show('randomBytes');
      console.log('random length', buf.length);
    });
  });
});
