// exit: 0
// zlib callback API, zlib stream piping, and zlib sync (no async resource).
const zlib = require('zlib');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
als.run({ z: 'cb' }, () => {
  zlib.deflate('aaaaaaaaaa', (err, buf) => {
    if (err) throw err;
    show('deflate');
    zlib.inflate(buf, (err2) => { if (err2) throw err2; show('inflate'); });
  });
});
als.run({ z: 'stream' }, () => {
  const gz = zlib.createGzip();
  const chunks = [];
  gz.on('data', (c) => chunks.push(c));
  gz.on('end', () => show(`gzip-stream-end-${zlib.gunzipSync(Buffer.concat(chunks)).toString()}`));
  gz.end('hello');
});
