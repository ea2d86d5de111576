// expect: loss
// loss: generic-pool.js:54 wrong
// pattern: connection-pool
// fix: generic-pool-fixed.js
'use strict';
// generic-pool@3.9.0 of one connection to a line-based "database" on
// 127.0.0.1. The pool creates the connection lazily, in the first acquire():
// request A's context, so the socket and its 'data' events belong to A for
// the connection's whole life. Query callbacks, kept in a FIFO and called
// from 'data', see A's store for B's and C's queries. `await pool.acquire()`
// itself resumes in each caller's context.
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
        this.pending.shift()(null, row);
      }
    });
  }
  query(sql, callback) {
    this.pending.push(callback);
    this.socket.write(`${sql}\n`);
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
  log(`${id}:acquired`, als.getStore());
  return new Promise((done) => conn.query(`SELECT * FROM orders WHERE owner = '${id}'`, (err, row) => {
    log(`${id}:query-callback`, als.getStore());
    pool.release(conn);
    done(row);
  }));
}

dbServer.listen(0, '127.0.0.1', async () => {
  await Promise.all(['A', 'B', 'C'].map((id) => als.run({ req: id }, () => handle(id))));
  await pool.drain();
  await pool.clear();
  dbServer.close();
});
