'use strict';
// Promise-heavy loop: async/await and .then chains, no I/O.
// ITER (default 100000) iterations of 3 awaits + a .then chain each, i.e.
// ~300k awaits; prints the elapsed time of the loop.
const ITER = Number(process.env.ITER || 100000);

async function leaf(i) {
  return i;
}

async function mid(i) {
  const a = await leaf(i);
  const b = await Promise.resolve(a).then((x) => x + 1).then((x) => x * 2);
  return a + b;
}

async function main() {
  const t0 = process.hrtime.bigint();
  let sum = 0;
  for (let i = 0; i < ITER; i++) {
    sum += await mid(i);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`promise_heavy iterations=${ITER} sum=${sum} loop_ms=${ms.toFixed(1)}`);
}

main();
