// expect: loss
// loss: connection-pool-lazy.js:54 wrong
// pattern: connection-pool
// fix: connection-pool-lazy-fixed.js
'use strict';
// Like connection-pool.js, but the connection is opened lazily by the first
// query. The socket (and its 'data' events) then belongs to request A's
// context for its whole life: A's callback looks right, B's callback sees A's
// store (wrong store instead of no store).
const http = require('http');
const net = require('net');
const { AsyncLocalStorage } = require('async_hooks');

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

class Connection {
  constructor(port) {
    this.pending = [];
    this.buffer = '';
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk) => {
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

// the "database": echoes every query line back as its result row
const dbServer = net.createServer((s) => s.pipe(s));
let connection = null;
const db = {
  query(sql, callback) {
    if (!connection) connection = new Connection(dbServer.address().port);
    connection.query(sql, callback);
  },
};

const server = http.createServer((req, res) => {
  const id = req.url.slice(1);
  als.run({ req: id }, () => {
    log(`${id}:handler`, als.getStore());
    db.query(`SELECT name FROM users WHERE id = '${id}'`, (err, row) => {
      log(`${id}:query-result`, als.getStore());
      res.end(`${row}\n`);
    });
  });
});

dbServer.listen(0, '127.0.0.1', () => {
  server.listen(0, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${server.address().port}`;
    http.get(`${base}/A`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => http.get(`${base}/B`, { agent: false }, (r) => {
        r.resume();
        r.on('end', () => { connection.socket.end(); dbServer.close(); server.close(); });
      }));
    });
  });
});
