// expect: clean
// pattern: body-events
'use strict';
// A correct express@4.22.3 app that a rule must not flag, although it looks
// like tests/check_corpus/body-events.js: a context middleware runs the rest
// of the chain inside als.run(), and express.json() comes after it. The
// body arrives in the stream's 'data'/'end' events (for the slow client A in
// a later packet, outside the request's context), but body-parser@1.20.9's
// raw-body@2.5.3 binds its completion callback with an AsyncResource made
// when the read started (its wrap()), so next() and the POST handler run in
// the request's context.
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');
const express = require('express');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

const app = express();
app.use((req, res, next) => als.run({ req: req.get('x-request-id') }, next));
app.use(express.json());
app.get('/orders', (req, res) => {
  log(`${req.get('x-request-id')}:get-handler`, als.getStore());
  res.json([]);
});
app.post('/orders', (req, res) => {
  log(`${req.get('x-request-id')}:post-handler`, als.getStore());
  res.status(201).json({ item: req.body.item });
});

// A slow client (a phone on a bad network) sends the headers first and the
// body 50 ms later, in another packet; the others send both at once.
function send(port, id, method, body, slow) {
  return new Promise((resolve) => {
    const req = http.request({ port, host: '127.0.0.1', method, path: '/orders', agent: false,
      headers: { 'x-request-id': id, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    if (!slow) return req.end(body);
    req.flushHeaders();
    setTimeout(() => req.end(body), 50);
  });
}

const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  await send(port, 'A', 'POST', JSON.stringify({ item: 'apple' }), true);
  await send(port, 'B', 'GET');
  await send(port, 'C', 'POST', JSON.stringify({ item: 'pear' }));
  server.close();
});
