// exit: 0
// crypto thread-pool callbacks: pbkdf2, randomBytes, scrypt, randomFill, and webcrypto digest (promise).
const crypto = require('crypto');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ c: 'pbkdf2' }, () => {
  crypto.pbkdf2('pw', 'salt', 10, 8, 'sha256', (err) => { if (err) throw err; show('pbkdf2'); });
});
als.run({ c: 'random' }, () => {
  crypto.randomBytes(4, (err) => {
    if (err) throw err;
    show('randomBytes');
    crypto.randomFill(Buffer.alloc(4), (err2) => { if (err2) throw err2; show('randomFill'); });
  });
});
als.run({ c: 'scrypt' }, () => {
  crypto.scrypt('pw', 'salt', 8, { N: 16 }, (err) => { if (err) throw err; show('scrypt'); });
});
als.run({ c: 'subtle' }, async () => {
  await crypto.webcrypto.subtle.digest('SHA-256', Buffer.from('x'));
  show('subtle-digest');
});
