// expect: clean
// pattern: helper-with-and-without-store
// (QA round 3: a correct program a heuristic mistook for context loss)
'use strict';
// An aggregator service that calls its item endpoint over HTTP with a shared
// client helper. The client propagates x-request-id when there is a current
// request, and logs every response with the current context. The in-process
// smoke test uses the same client (no request there: undefined expected),
// firing several requests at once with Promise.all.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function log(label, msg) {
  const ctx = als.getStore();
  console.log(`STORE ${label} ${ctx === undefined ? 'undefined' : JSON.stringify(ctx)} ${msg}`);
  return ctx;
}

let port;
function fetchJson(label, p) {
  const ctx = als.getStore();
  const headers = ctx ? { 'x-request-id': `${ctx.id}.sub` } : {};
  return new Promise((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: p, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        log(label, `GET ${p} -> ${res.statusCode}`);
        resolve(JSON.parse(body));
      });
    }).on('error', reject);
  });
}

const server = http.createServer((req, res) => {
  const id = req.headers['x-request-id'] || req.url.split('/')[2];
  als.run({ id }, async () => {
    if (req.url.startsWith('/item/')) {
      await new Promise((r) => setTimeout(r, 2));
      log(`${id}:item`, req.url);
      res.end(JSON.stringify({ item: req.url.slice(6) }));
      return;
    }
    // /aggregate/<id>
    const items = await Promise.all([1, 2, 3].map((n) => fetchJson(`${id}:client-in-request`, `/item/${n}`)));
    log(`${id}:aggregate`, `${items.length} items`);
    res.end(JSON.stringify(items));
  });
});

server.listen(0, '127.0.0.1', async () => {
  port = server.address().port;
  const results = await Promise.all(['A', 'B'].map((id) => fetchJson('-:client-in-test', `/aggregate/${id}`)));
  log('-:test-after-all', `${results.length} results`);
  const again = await fetchJson('-:client-in-test', '/aggregate/C');
  log('-:test-done', `${again.length} items`);
  server.close();
});
