// expect: loss
// loss: body-events.js:24 undefined
// loss: body-events.js:28 undefined
// pattern: body-events
// fix: body-events-fixed.js
'use strict';
// A JSON body parser inside an HTTP handler that sets the request's store with
// run(). The 'data'/'end' listeners are registered inside run(), but the body
// events are emitted later from the connection's HTTP parser, whose context
// has no store. A: headers and body arrive together, B: body arrives later.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const server = http.createServer((req, res) => {
  const id = req.headers['x-request-id'];
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      log(`${id}:body-chunk`, als.getStore());
      body += chunk;
    });
    req.on('end', () => {
      log(`${id}:body-end`, als.getStore());
      res.end(JSON.stringify({ id, items: JSON.parse(body).length }));
    });
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
  // Long enough that the server has parsed the headers before the body
  // arrives even on a loaded CI machine (20 ms was not, once, and the body
  // then came with the headers as in A).
  setTimeout(() => req.end(body), 150);
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  post(port, 'A', '[1,2,3]', false, () => {
    post(port, 'B', '[4,5]', true, () => server.close());
  });
});
