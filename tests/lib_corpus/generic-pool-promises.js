// expect: clean
// pattern: connection-pool
'use strict';
// A correct use of generic-pool@3.9.0 that a wrong-store rule must not flag:
// the same lazily created connection (its socket and 'data' events belong to
// request A), but queries return promises, resolved from 'data', and the
// callers `await` them (and use pool.use()): the code after each `await`
// resumes with its own request's store although A's socket settled it.
const net = require('net');
const { AsyncLocalStorage } = require('async_hooks');
const genericPool = require('generic-pool');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

class Connection {
  constructor(socket) {
    this.socket = socket;
    this.pending = [];
    this.buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const row = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.pending.shift()(row);
      }
    });
  }
  query(sql) {
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.socket.write(`${sql}\n`);
    });
  }
}

const dbServer = net.createServer((s) => s.pipe(s)); // echoes each query back as its row
const pool = genericPool.createPool({
  create: () => new Promise((resolve) => {
    const socket = net.connect(dbServer.address().port, '127.0.0.1', () => resolve(new Connection(socket)));
  }),
  destroy: (conn) => new Promise((resolve) => conn.socket.end(resolve)),
}, { max: 1 });

async function handle(id) {
  log(`${id}:handler`, als.getStore());
  const conn = await pool.acquire();
  try {
    await conn.query(`SELECT * FROM orders WHERE owner = '${id}'`);
    log(`${id}:after-query`, als.getStore());
  } finally {
    pool.release(conn);
  }
  const count = await pool.use((c) => c.query(`SELECT count(*) FROM carts WHERE owner = '${id}'`));
  log(`${id}:after-use`, als.getStore());
  return count;
}

dbServer.listen(0, '127.0.0.1', async () => {
  await Promise.all(['A', 'B', 'C'].map((id) => als.run({ req: id }, () => handle(id))));
  await pool.drain();
  await pool.clear();
  dbServer.close();
});
