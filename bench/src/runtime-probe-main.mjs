// Node, Bun and Deno: `<runtime> runtime-probe-main.mjs` with BENCH_PROBE = JSON { rsaPrivate, secret, algorithms, n,
// rounds }. Each round runs every variant of each algorithm for n tokens (in an order that turns each round) and times it
// with performance.now; prints `{ [algorithm]: { [variant]: [ops/s per round] } }` as one JSON line.
import { ALGORITHMS, VARIANTS, probes } from './runtime-probe.mjs';

const env = globalThis.Deno ? globalThis.Deno.env.get('BENCH_PROBE') : globalThis.process.env.BENCH_PROBE;
const config = JSON.parse(env);
const built = await probes(config);
const rates = {};
for (const alg of config.algorithms ?? ALGORITHMS) {
  rates[alg] = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  await built[alg].signet(config.n); // warm-up: the JIT sees every path before the first round
  for (const variant of VARIANTS.slice(1)) await built[alg][variant](config.n);
  for (let round = 0; round < config.rounds; round++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const variant = VARIANTS[(round + i) % VARIANTS.length];
      const start = performance.now();
      await built[alg][variant](config.n);
      rates[alg][variant].push((config.n * 1000) / (performance.now() - start));
    }
  }
}
console.log(JSON.stringify(rates));
