// expect: clean
// pattern: body-events
'use strict';
// body-events.js written with `for await (const chunk of req)` instead of
// 'data'/'end' listeners: the chunks still come from the connection's HTTP
// parser, but each await resumes in the handler's context, so the store is
// kept. A: headers and body arrive together, B: body arrives later.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const server = http.createServer((req, res) => {
  const id = req.headers['x-request-id'];
  als.run({ req: id }, async () => {
    log(`${id}:handler`, als.getStore());
    let body = '';
    req.setEncoding('utf8');
    for await (const chunk of req) {
      log(`${id}:body-chunk`, als.getStore());
      body += chunk;
    }
    log(`${id}:body-end`, als.getStore());
    res.end(JSON.stringify({ id, items: JSON.parse(body).length }));
  });
});

function post(port, id, body, delayBody, done) {
  const headers = { 'x-request-id': id, 'content-type': 'application/json', 'content-length': body.length };
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', headers, agent: false }, (res) => {
    res.resume();
    res.on('end', done);
  });
  if (!delayBody) return req.end(body); // headers and body in one write
  req.flushHeaders();
  setTimeout(() => req.end(body), 150); // the headers parsed first, even on a loaded machine
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  post(port, 'A', '[1,2,3]', false, () => {
    post(port, 'B', '[4,5]', true, () => server.close());
  });
});
