// exit: 0
// net server + client on 127.0.0.1: connect, data echo, end, close.
const net = require('net');
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const show = (l) => { const v = als.getStore(); console.log(`STORE ${l} ${v === undefined ? 'undefined' : JSON.stringify(v)}`); };
const server = als.run({ side: 'server' }, () => net.createServer((sock) => {
  show('server-connection');
  sock.on('data', (d) => { show('server-data'); sock.end(d); });
  sock.on('close', () => show('server-sock-close'));
}));
server.listen(0, '127.0.0.1', () => {
  show('listening');
  als.run({ side: 'client' }, () => {
    const c = net.connect(server.address().port, '127.0.0.1', () => {
      show('client-connect');
      c.write('ping');
    });
    c.on('data', () => show('client-data'));
    c.on('end', () => show('client-end'));
    c.on('close', () => {
      show('client-close');
      server.close(() => show('server-closed'));
    });
  });
});
