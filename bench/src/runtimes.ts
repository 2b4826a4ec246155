import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createWorker, quietEnv, runtimeCommand } from '@signet/runtime-tests/launch';
import { median, smoke } from './measure.js';

// Section 8: RS256 and HS256 signing with @signet/core's jwtSigner in Node, Bun, Deno and workerd, each against
// that runtime's own floor: the faster of node:crypto and crypto.subtle there, minting the same token with the same
// key (runtime-probe.mjs). Bun, Deno and Node time themselves (runtime-probe-main.mjs); workerd freezes its clocks
// while a request runs, so Node times dispatchFetch calls that each mint n tokens, less an empty call's time.

/** The bench's `record`: one row of the summary table. */
type Record = (figure: string, signet: string, floor: string, ratio: number, target: string, met: boolean) => void;
type Rates = { [alg: string]: { [variant: string]: number[] } };

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const benchDir = here('..');
const ALGORITHMS = ['RS256', 'HS256'] as const;
const FLOORS = ['node:crypto', 'crypto.subtle'] as const;
const ROUNDS = smoke ? 1 : 5;
/** Tokens per timed run: enough for a run to last ~0.1-0.3 s on a laptop core (HS256 is ~50x faster than RS256). */
const N = { RS256: smoke ? 5 : 300, HS256: smoke ? 100 : 5000 } as const;
const ops = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')}/s`;

/** Runs runtime-probe-main.mjs for one algorithm's n under a runtime and returns its rates. */
async function selfTimed(command: string[], keys: object): Promise<Rates> {
  const rates: Rates = {};
  for (const alg of ALGORITHMS) {
    const [file = '', ...args] = command;
    const { stdout } = await promisify(execFile)(file, [...args, here('./runtime-probe-main.mjs')], {
      cwd: benchDir,
      env: quietEnv({ BENCH_PROBE: JSON.stringify({ ...keys, algorithms: [alg], n: N[alg], rounds: ROUNDS }) }),
      maxBuffer: 1 << 20,
      timeout: 600_000,
    });
    Object.assign(rates, JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Rates);
  }
  return rates;
}

/** The probe as a Worker (bundled as a user's bundler would), timed from Node around each dispatchFetch. */
async function workerd(keys: object): Promise<Rates> {
  const mf = await createWorker(here('./runtime-probe-worker.mjs'), { BENCH_PROBE: JSON.stringify(keys) }, benchDir);
  try {
    const run = async (alg: string, variant: string, n: number): Promise<number> => {
      const start = performance.now();
      const response = await mf.dispatchFetch(`http://bench.test/?alg=${alg}&variant=${encodeURIComponent(variant)}&n=${n}`);
      if (response.status !== 204) throw new Error(`the probe Worker answered ${response.status}: ${await response.text()}`);
      return performance.now() - start;
    };
    const rates: Rates = {};
    const variants = ['signet', ...FLOORS];
    for (const alg of ALGORITHMS) {
      for (const variant of variants) await run(alg, variant, N[alg]); // warm-up, and the keys' first use
      const empty = median(await Promise.all([0, 1, 2, 3, 4].map(() => run(alg, 'signet', 0))));
      rates[alg] = Object.fromEntries(variants.map((variant) => [variant, [] as number[]]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < variants.length; i++) {
          const variant = variants[(round + i) % variants.length] as string;
          // Less the round trip of an empty request, unless that would leave less than half (smoke mode's tiny n):
          // then the figure is the round trip's too, which is what smoke figures are anyway (not meaningful).
          const raw = await run(alg, variant, N[alg]);
          const ms = raw > 2 * empty ? raw - empty : raw;
          rates[alg][variant]!.push((N[alg] * 1000) / ms);
        }
      }
    }
    return rates;
  } finally {
    await mf.dispose();
  }
}

/** The runtimes, by name: how each is measured (Bun and Deno are the pinned binaries of @signet/runtime-tests). */
const RUNTIMES: Array<[string, (keys: object) => Promise<Rates>]> = [
  ['node', (keys) => selfTimed(runtimeCommand('node'), keys)],
  ['bun', (keys) => selfTimed(runtimeCommand('bun'), keys)],
  ['deno', (keys) => selfTimed(runtimeCommand('deno'), keys)],
  ['workerd', workerd],
];

/**
 * Section 8: prints a table per runtime (jwtSigner, node:crypto and crypto.subtle, ops/s) and records, per runtime
 * and algorithm, jwtSigner against the faster floor (the median of the per-round ratios, each round's floor being
 * its faster one). Target: >= 0.9 on each.
 */
export async function signingPerRuntime(record: Record): Promise<void> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = { rsaPrivate: privateKey.export({ type: 'pkcs8', format: 'pem' }), secret: randomBytes(32).toString('base64url') };
  for (const [runtime, measure] of RUNTIMES) {
    let rates: Rates;
    try {
      rates = await measure(keys);
    } catch (error) {
      console.log(`  ${runtime}: not measured (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    console.log(`  ${runtime}: | alg | jwtSigner | node:crypto | crypto.subtle | vs faster floor |`);
    for (const alg of ALGORITHMS) {
      const of = rates[alg] ?? {};
      const signet = of['signet'] ?? [];
      const floorOf = (round: number) => Math.max(...FLOORS.map((floor) => of[floor]?.[round] ?? 0));
      const ratio = median(signet.map((rate, round) => rate / floorOf(round)));
      const [fast, slow] = [...FLOORS].sort((a, b) => median(of[b] ?? [0]) - median(of[a] ?? [0])) as [string, string];
      console.log(`  ${runtime}: | ${alg} | ${ops(median(signet))} | ${ops(median(of['node:crypto'] ?? [0]))} | ${ops(median(of['crypto.subtle'] ?? [0]))} | ${ratio.toFixed(2)} |`);
      record(`${runtime} ${alg}: jwtSigner sign() vs ${fast} (faster than ${slow} here)`, ops(median(signet)), ops(median(of[fast] ?? [0])), ratio, '>= 0.90', ratio >= 0.9);
    }
  }
}
