'use strict';
// fs callback APIs and fs.promises in a temp dir that is removed at the end.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function show(label) {
  const v = als.getStore();
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
  return v;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ahtrace-fs-'));
const file = path.join(dir, 'data.txt');

function callbacks(done) {
  als.run({ api: 'callback' }, () => {
    fs.writeFile(file, 'hello\n', (err) => {
      if (err) throw err;
      show('writeFile');
      fs.stat(file, (err2, st) => {
        if (err2) throw err2;
        show('stat');
        fs.readFile(file, 'utf8', (err3, text) => {
          if (err3) throw err3;
          show('readFile');
          console.log('size', st.size, 'text', JSON.stringify(text));
          done();
        });
      });
    });
  });
}

function promises() {
  return als.run({ api: 'promises' }, async () => {
    await fs.promises.writeFile(file, 'world\n');
    show('promises.writeFile');
    const st = await fs.promises.stat(file);
    show('promises.stat');
    const text = await fs.promises.readFile(file, 'utf8');
    show('promises.readFile');
    console.log('size', st.size, 'text', JSON.stringify(text));
  });
}

callbacks(() => {
  promises().then(() => {
    fs.rm(dir, { recursive: true, force: true }, (err) => {
      if (err) throw err;
      show('rm');
    });
  });
});
