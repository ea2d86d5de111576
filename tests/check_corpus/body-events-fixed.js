// expect: clean
// pattern: body-events
'use strict';
// body-events.js fixed: the body listeners are wrapped with AsyncResource.bind
// when they are registered inside run(), so they run with the request's store
// whichever context the HTTP parser emits them from.
const http = require('http');
const { AsyncLocalStorage, AsyncResource } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const server = http.createServer((req, res) => {
  const id = req.headers['x-request-id'];
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    let body = '';
    req.setEncoding('utf8');
    req.on('data', AsyncResource.bind((chunk) => {
      log(`${id}:body-chunk`, als.getStore());
      body += chunk;
    }));
    req.on('end', AsyncResource.bind(() => {
      log(`${id}:body-end`, als.getStore());
      res.end(JSON.stringify({ id, items: JSON.parse(body).length }));
    }));
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
