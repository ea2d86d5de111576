// expect: loss
// loss: job-queue.js:39 undefined
// pattern: job-queue
// fix: job-queue-fixed.js
'use strict';
// A user-land job queue: request handlers push callbacks, a drain loop started
// at start-up runs them later. The loop's interval belongs to start-up, so every
// job runs with no store at all.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const queue = [];
function enqueue(job) {
  queue.push(job);
}

let processed = 0;
const drainer = setInterval(() => {
  while (queue.length > 0) {
    const job = queue.shift();
    job();
    processed++;
  }
  if (processed === 2) {
    clearInterval(drainer);
    server.close();
  }
}, 5);

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  als.run({ req: id, path: req.url }, () => {
    log(`${id}:handler`, als.getStore());
    enqueue(() => {
      // the job renders the response and writes the access log
      log(`${id}:job`, als.getStore());
      res.end(`done ${id}\n`);
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  http.get(`${base}/A`, { agent: false }, (res) => {
    res.resume();
    res.on('end', () => http.get(`${base}/B`, { agent: false }, (r) => r.resume()));
  });
});
