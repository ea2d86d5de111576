// The recorder is invisible to the program's own hooks: every `before` the
// program's hook sees had its `init`, and the recorder leaves no handle in
// process.getActiveResourcesInfo(). A flush timer of the recorder used to
// break both (issue: "The recorder is invisible to the program's own hooks");
// this program exits 1 if it sees the recorder.
const ah = require('async_hooks');
const http = require('http');
const seen = new Set();
let beforeWithoutInit = 0;
ah.createHook({
  init(id) { seen.add(id); },
  before(id) { if (!seen.has(id)) beforeWithoutInit++; },
}).enable();
const server = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', () => {
  http.get({ host: '127.0.0.1', port: server.address().port }, (r) => {
    r.resume();
    r.on('end', () => server.close());
  });
});
let ticks = 0;
const interval = setInterval(() => { if (++ticks === 15) clearInterval(interval); }, 20); // outlives a 250 ms flush period
process.on('exit', () => {
  const active = process.getActiveResourcesInfo();
  console.log(`before without init: ${beforeWithoutInit}; active at exit: ${active.length ? active.join(',') : 'none'}`);
  if (beforeWithoutInit !== 0 || active.length !== 0) process.exitCode = 1;
});
