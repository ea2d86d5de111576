// expect: clean
// pattern: esm-top-level-await
// An ES module with top-level await: module evaluation has no store, a boot
// step runs inside run() and is awaited at top level, then two requests are
// served with run(). After `await als.run(...)` the module is back in its own
// context, so the store is undefined again there, as it should be.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const als = new AsyncLocalStorage();
const log = (label, v) => console.log(`STORE ${label} ${v === undefined ? 'undefined' : JSON.stringify(v)}`);

log('-:module-start', als.getStore()); // expected-undefined

const config = await als.run({ req: 'boot' }, async () => {
  await sleep(1);
  log('boot:config-read', als.getStore());
  return { retries: 2 };
});
log('-:after-boot', als.getStore()); // expected-undefined

async function handle(id) {
  for (let attempt = 0; attempt < config.retries; attempt++) {
    await sleep(1);
    log(`${id}:attempt`, als.getStore());
  }
}

await Promise.all([
  als.run({ req: 'A' }, () => handle('A')),
  als.run({ req: 'B' }, () => handle('B')),
]);
log('-:served', als.getStore()); // expected-undefined
