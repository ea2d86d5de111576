// expect: clean
// pattern: helper-with-and-without-store
// (QA round 3: a correct program a heuristic mistook for context loss)
'use strict';
// An in-process test file (what `npm test` runs in CI): integration tests over
// HTTP, then unit tests that call the service layer directly. Outside a request
// the service must fall back to an anonymous actor, and one unit test sets up
// its own context with als.run(). Every getStore() result is what the test expects.
const http = require('http');
const assert = require('assert');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
function currentActor(label) {
  const ctx = als.getStore();
  console.log(`STORE ${label} ${ctx === undefined ? 'undefined' : JSON.stringify(ctx)}`);
  return ctx ? ctx.id : 'anonymous';
}

// ---- service layer ----
const orders = [];
async function createOrder(label, item) {
  await new Promise((r) => setImmediate(r)); // "db insert"
  const order = { item, by: currentActor(label) };
  orders.push(order);
  return order;
}

// ---- HTTP layer ----
const server = http.createServer((req, res) => {
  const id = req.headers['x-user'];
  als.run({ id }, async () => {
    const order = await createOrder(`${id}:create-order-http`, req.url.slice(1));
    res.end(JSON.stringify(order));
  });
});

function post(port, user, item) {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: `/${item}`, headers: { 'x-user': user } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main() {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();

  // integration tests
  assert.deepStrictEqual(await post(port, 'alice', 'book'), { item: 'book', by: 'alice' });
  assert.deepStrictEqual(await post(port, 'bob', 'pen'), { item: 'pen', by: 'bob' });

  // unit test: no request -> anonymous
  const o = await createOrder('-:create-order-unit', 'lamp');
  assert.strictEqual(o.by, 'anonymous');

  // unit test: explicit context
  const o2 = await als.run({ id: 'carol' }, () => createOrder('carol:create-order-unit-ctx', 'mug'));
  assert.strictEqual(o2.by, 'carol');

  // unit test again without context, after the one with context
  const o3 = await createOrder('-:create-order-unit-again', 'desk');
  assert.strictEqual(o3.by, 'anonymous');

  server.close();
  console.log('tests passed');
}
main();
