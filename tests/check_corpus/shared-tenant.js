// expect: clean
// pattern: helper-with-and-without-store
// (QA round 3: a correct program a heuristic mistook for context loss)
'use strict';
// Two storages: a request context for every request and a tenant context that
// only exists on tenant-scoped routes (/t/<tenant>/...). Public routes have no
// tenant: tenantAls.getStore() is undefined there, as designed. A tenant
// request also runs one platform-level step under tenantAls.exit().
const http = require('http');
const { AsyncLocalStorage } = require('async_hooks');

const requestAls = new AsyncLocalStorage();
const tenantAls = new AsyncLocalStorage();
function show(label, v) {
  console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);
}
// the logger prints both contexts
function log(reqLabel, tenantLabel) {
  show(reqLabel, requestAls.getStore());
  show(tenantLabel, tenantAls.getStore());
}

async function loadDashboard(id, tenant) {
  await new Promise((r) => setTimeout(r, 2));
  log(`${id}:dashboard-req`, `${tenant}:dashboard-tenant`);
  return 'dashboard';
}

const server = http.createServer((req, res) => {
  const id = req.headers['x-request-id'];
  requestAls.run({ id }, () => {
    const m = /^\/t\/([^/]+)\//.exec(req.url);
    const handle = async (tenant) => {
      log(`${id}:handler-req`, `${tenant}:handler-tenant`);
      const body = await loadDashboard(id, tenant);
      if (tenant !== '-') {
        tenantAls.exit(() => {
          setImmediate(() => log(`${id}:platform-req`, '-:platform-tenant'));
        });
      }
      setTimeout(() => {
        log(`${id}:respond-req`, `${tenant}:respond-tenant`);
        res.end(body);
      }, 3);
    };
    if (m) tenantAls.run({ id: m[1] }, () => handle(m[1]));
    else handle('-');
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const reqs = [['A', '/t/acme/dash'], ['B', '/public/status'], ['C', '/t/globex/dash'], ['D', '/public/status']];
  let left = reqs.length;
  for (const [id, p] of reqs) {
    http.get({ port, host: '127.0.0.1', path: p, headers: { 'x-request-id': id }, agent: false }, (r) => {
      r.resume();
      r.on('end', () => { if (--left === 0) server.close(); });
    });
  }
});
