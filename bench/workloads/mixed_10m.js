'use strict';
// A long, mixed workload for replay benchmarks: per iteration, a request-like
// AsyncLocalStorage.run() with awaits, a timer and a nextTick, and reads of
// the store. ITER=230000 (bench/run.sh) records about 10 million events.
const { AsyncLocalStorage } = require('async_hooks');
const als = new AsyncLocalStorage();
const ITER = Number(process.env.ITER || 200000);
const BATCH = 500;

async function handle(i) {
  await null;
  const v = await Promise.resolve(i).then((x) => x + 1);
  await new Promise((resolve) => process.nextTick(resolve));
  if (als.getStore().id !== i) throw new Error('store lost');
  return v;
}

async function main() {
  let sum = 0;
  for (let done = 0; done < ITER; done += BATCH) {
    const batch = [];
    for (let i = done; i < done + BATCH && i < ITER; i++) batch.push(als.run({ id: i }, () => handle(i)));
    for (const v of await Promise.all(batch)) sum += v;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  console.log(`mixed iterations=${ITER} sum=${sum}`);
}
main();
