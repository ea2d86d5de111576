// exit: 0
// fs callbacks, fs.promises (FileHandle), and a sync call between them, in a temp dir.
const fs = require('fs'), os = require('os'), path = require('path');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ahtrace-e2e-'));
const file = path.join(dir, 'f.txt');
als.run({ fs: 'cb' }, () => {
  fs.writeFile(file, 'abc', (err) => {
    if (err) throw err;
    show('writeFile');
    fs.stat(file, (err2) => {
      if (err2) throw err2;
      show('stat');
      als.run({ fs: 'promises' }, async () => {
        const fh = await fs.promises.open(file, 'r');
        show('open');
        const { bytesRead } = await fh.read(Buffer.alloc(3), 0, 3, 0);
        show(`read-${bytesRead}`);
        await fh.close();
        show('close');
        fs.rm(dir, { recursive: true }, () => show('rm'));
      });
    });
  });
});
