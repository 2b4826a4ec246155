import { execFileSync, fork } from 'node:child_process';
import { createHash, createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import jwt from 'jsonwebtoken';
import { createSignedAxios } from '@signet/axios';
import { portOneSigner, requestSigner, twoCheckoutSigner } from '@signet/core';
import { hmacToken, rs256Async, rs256Sync } from './floors.js';
import { asyncRate, compare, latencyRun, median, smoke, syncRate } from './measure.js';
import { keysOutside } from './keys-outside.js';
import { signingPerRuntime } from './runtimes.js';
import { type LoadFigures, underLoad } from './under-load.js';

interface Row {
  figure: string;
  signet: string;
  floor: string;
  ratio: number;
  target: string;
  met: boolean;
}
const rows: Row[] = [];
const ops = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')}/s`;
const record = (figure: string, signet: string, floor: string, ratio: number, target: string, met: boolean): void => {
  rows.push({ figure, signet, floor, ratio, target, met });
  console.log(`  ${figure}: ${signet} vs ${floor} -> ${ratio.toFixed(2)} (target ${target})`);
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signer = requestSigner({ apiKey: 'bench-api-key', privateKey });
const url = '/v1/payments?merchant=bench&currency=EUR';
const body1k = Buffer.from(JSON.stringify({ items: 'x'.repeat(1000) }).slice(0, 1024));

console.log(`Signet benchmarks${smoke ? ' (smoke mode: short runs, figures not meaningful)' : ''}`);
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.versions.node}, OpenSSL ${process.versions.openssl}, axios ${axios.VERSION}`;
console.log(machine);

// 1. RS256, 1 in flight.
console.log('\n1. RS256 request signing, 1 in flight (1 KiB body)');
const signOnce = (): Promise<unknown> => signer.sign({ method: 'POST', url, body: body1k });
const one = await compare(
  () => asyncRate(signOnce, 1),
  async () => syncRate(() => rs256Sync(privateKey, url, body1k)),
);
const rsJwtPem = syncRate(() => {
  const iat = Math.floor(Date.now() / 1000);
  const bodyHash = createHash('sha256').update(body1k).digest('hex');
  return jwt.sign({ uri: url, iat, exp: iat + 55, sub: 'bench-api-key', bodyHash }, privatePem, { algorithm: 'RS256' });
});
record('RS256 sign, 1 in flight, vs sync crypto.sign', ops(one.ours), ops(one.floor), one.ratio, '>= 0.95', one.ratio >= 0.95);
record('RS256 sign, 1 in flight, vs jsonwebtoken + PEM per call', ops(one.ours), ops(rsJwtPem), one.ours / rsJwtPem, '(typical SDK)', true);

// 2. RS256, 8 in flight.
console.log('\n2. RS256, 8 in flight');
const eight = await compare(
  () => asyncRate(signOnce, 8),
  () => asyncRate(() => rs256Async(privateKey, url, body1k), 8),
);
record('RS256 sign, 8 in flight, vs async crypto.sign', ops(eight.ours), ops(eight.floor), eight.ratio, '>= 0.90', eight.ratio >= 0.9);

// 3. HMAC schemes.
console.log('\n3. HS256 (PortOne) and HS512 (2Checkout)');
const secret = randomBytes(32).toString('hex');
const secretKey = createSecretKey(Buffer.from(secret));
const portone = portOneSigner({ clientKey: 'bench-client', secretKey: secret });
const twoCheckout = twoCheckoutSigner({ merchantCode: 'BENCH', secretWord: secret });
const now = (): number => Math.floor(Date.now() / 1000);
const hs = await compare(
  () => asyncRate(() => portone.sign({ method: 'GET', url }), 1),
  async () => syncRate(() => hmacToken('sha256', secretKey, '{"alg":"HS256","typ":"JWT"}', () => ({ iss: 'PORTONE', sub: 'bench-client', iat: now(), exp: now() + 100 }))),
);
record('HS256 PortOne sign vs createHmac', ops(hs.ours), ops(hs.floor), hs.ratio, '>= 0.5', hs.ratio >= 0.5);
const hs512 = await compare(
  () => asyncRate(() => twoCheckout.sign({ method: 'GET', url }), 1),
  async () => syncRate(() => hmacToken('sha512', secretKey, '{"alg":"HS512","typ":"JWT"}', () => ({ sub: 'BENCH', iat: now(), exp: now() + 1800 }))),
);
record('HS512 2Checkout sign vs createHmac', ops(hs512.ours), ops(hs512.floor), hs512.ratio, '>= 0.5', hs512.ratio >= 0.5);

// 4. Bodies: hashing is on both sides; the ratio shows what the SDK adds around it.
console.log('\n4. Body hashing: signer.sign(body) vs createHash(body) + sync crypto.sign');
for (const [label, size] of [
  ['1 KiB', 1024],
  ['1 MiB', 2 ** 20],
  ['64 MiB', 64 * 2 ** 20],
] as const) {
  if (smoke && size > 2 ** 20) continue;
  const body = randomBytes(size);
  const r = await compare(
    () => asyncRate(() => signer.sign({ method: 'POST', url, body }), 1),
    async () => syncRate(() => rs256Sync(privateKey, url, body)),
    size > 2 ** 20 ? 3 : undefined,
  );
  const mbps = (rate: number): string => `${((rate * size) / 2 ** 20).toFixed(0)} MiB/s`;
  record(`sign with a ${label} body`, `${ops(r.ours)} (${mbps(r.ours)})`, `${ops(r.floor)} (${mbps(r.floor)})`, r.ratio, size >= 2 ** 20 ? '>= 0.9' : '-', size < 2 ** 20 || r.ratio >= 0.9);
}
const peakScript = fileURLToPath(new URL('./peak-rss.ts', import.meta.url));
const peak = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', peakScript], { encoding: 'utf8' })) as { before: number; peak: number; body: number };
const added = peak.peak - peak.before;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
record('peak RSS signing a 100 MiB Buffer (above the process before the body)', mib(added), `${mib(peak.body)} body`, added / peak.body, '<= body + 10 MiB', added <= peak.body + 10 * 2 ** 20);

// 5. End to end on loopback.
console.log('\n5. End to end, loopback, 1 KiB JSON POST: createSignedAxios vs plain axios');
const sink = fork(fileURLToPath(new URL('./sink-server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((resolve) => sink.once('message', (message) => resolve(Number(message))));
const json = { order: 'bench', items: Array.from({ length: 20 }, (_, i) => ({ sku: `SKU-${i}`, qty: i, note: 'x'.repeat(20) })) };
try {
  for (const inFlight of [1, 32]) {
    const config = { baseURL: `http://127.0.0.1:${port}/v1`, httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) };
    const plain = axios.create(config);
    const signed = createSignedAxios(signer, { ...config, httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) });
    // The same adapter with a signer that does no cryptography: what Signet's transport work alone adds.
    const transportOnly = createSignedAxios({ sign: async () => ({ Authorization: 'Bearer x.y.z' }) }, { ...config, httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) });
    const p = await latencyRun(() => plain.post('/orders', json, { params: { channel: 'web' } }), inFlight);
    const s = await latencyRun(() => signed.post('/orders', json, { params: { channel: 'web' } }), inFlight);
    const t = await latencyRun(() => transportOnly.post('/orders', json, { params: { channel: 'web' } }), inFlight);
    const describe = (r: typeof p): string => `${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, ELU ${r.elu.toFixed(2)}`;
    console.log(`  ${inFlight} in flight: plain ${describe(p)}\n    signed ${describe(s)}\n    no-op signer ${describe(t)}`);
    if (inFlight === 1) {
      const added = s.p50 - p.p50;
      record('added p50 latency, 1 in flight', `${s.p50.toFixed(3)} ms`, `${p.p50.toFixed(3)} ms`, added, '<= 0.35 ms added', added <= 0.35);
      const transport = t.p50 - p.p50;
      record('added p50 latency, 1 in flight, no-op signer (transport only)', `${t.p50.toFixed(3)} ms`, `${p.p50.toFixed(3)} ms`, transport, '(diagnostic)', true);
    } else {
      record('signed / plain requests per second, 32 in flight', `${Math.round(s.rps)} req/s`, `${Math.round(p.rps)} req/s`, s.rps / p.rps, '>= 0.6', s.rps / p.rps >= 0.6);
      record('no-op signer / plain requests per second, 32 in flight (transport only)', `${Math.round(t.rps)} req/s`, `${Math.round(p.rps)} req/s`, t.rps / p.rps, '(diagnostic)', true);
    }
  }
} finally {
  sink.kill();
}

// 6. The default signing path under load.
console.log('\n6. Default offload under load: axios 1 KiB JSON POST to a node:http server in this process');
const { busy, alone } = await underLoad(privateKey);
type Round = Record<string, LoadFigures>;
const show = (label: string, results: Round[]): void => {
  for (const [i, round] of results.entries()) {
    console.log(
      `  ${label} round ${i + 1}: ${Object.entries(round)
        .map(([name, r]) => `${name} ${Math.round(r.rps)} req/s p50 ${r.p50.toFixed(3)} ms`)
        .join('; ')}`,
    );
  }
};
show('32 in flight', busy);
show('1 in flight', alone);
const rps = (results: Round[], name: string): string => `${Math.round(median(results.map((round) => (round[name] as LoadFigures).rps)))} req/s`;
const p50 = (results: Round[], name: string): string => `${median(results.map((round) => (round[name] as LoadFigures).p50)).toFixed(3)} ms`;
// Each ratio is the median of the per-round ratios.
const ratio = (results: Round[], of: (r: LoadFigures) => number, ours: string, floor: string): number => median(results.map((round) => of(round[ours] as LoadFigures) / of(round[floor] as LoadFigures)));
const busyVs = (ours: string, floor: string, label: string, target?: number): void => {
  const r = ratio(busy, (f) => f.rps, ours, floor);
  record(`32 in flight, req/s: ${label}`, rps(busy, ours), rps(busy, floor), r, target === undefined ? '(diagnostic)' : `>= ${target.toFixed(2)}`, target === undefined || r >= target);
};
const aloneVs = (ours: string, floor: string, label: string, target?: number): void => {
  const r = ratio(alone, (f) => f.p50, ours, floor);
  record(`1 in flight, p50: ${label}`, p50(alone, ours), p50(alone, floor), r, target === undefined ? '(diagnostic)' : `<= ${target.toFixed(2)}`, target === undefined || r <= target);
};
busyVs('default', 'always', "default offload vs offload: 'always'", 0.95);
busyVs('default', 'asyncInterceptor', 'default offload vs axios + async crypto.sign interceptor', 0.95);
busyVs('default', 'plain', 'default offload vs plain axios (no signing)');
busyVs('asyncInterceptor', 'plain', 'axios + async crypto.sign interceptor vs plain axios');
// Which path the default took: counted, not timed, so the machine's noise cannot blur it.
const poolShare = (results: Round[]): number => median(results.map((round) => (round['default'] as LoadFigures).onPool));
const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;
const cpuRatio = ratio(busy, (f) => f.cpuMsPerRequest, 'default', 'always');
const cpuMs = (name: string): string => `${median(busy.map((round) => (round[name] as LoadFigures).cpuMsPerRequest)).toFixed(3)} ms`;
record("32 in flight, CPU time per request: default offload vs offload: 'always'", cpuMs('default'), cpuMs('always'), cpuRatio, '(diagnostic)', true);
record("32 in flight: the default's signatures on the thread pool", percent(poolShare(busy)), "'always': 100%", poolShare(busy), '(diagnostic)', true);
aloneVs('default', 'syncInterceptor', 'default offload vs axios + sync crypto.sign interceptor', 1.1);
record("1 in flight: the default's signatures on the thread pool (probes)", percent(poolShare(alone)), 'sync interceptor: 0%', poolShare(alone), '(diagnostic)', true);
aloneVs('always', 'syncInterceptor', "offload: 'always' vs axios + sync crypto.sign interceptor");
aloneVs('syncInterceptor', 'plain', 'axios + sync crypto.sign interceptor vs plain axios');

// 7. Keys held outside the process.
console.log('\n7. Keys held outside the process: a remote key with 15 ms of latency, and PKCS#11 on SoftHSM2');
await keysOutside(record);

// 8. Every runtime fetch runs on.
console.log('\n8. RS256 and HS256 signing in Node, Bun, Deno and workerd, each against its own floor (node:crypto or crypto.subtle)');
await signingPerRuntime(record);

console.log(`\n| figure | Signet | floor | ratio | target | met |\n| --- | --- | --- | --- | --- | --- |`);
for (const row of rows) console.log(`| ${row.figure} | ${row.signet} | ${row.floor} | ${row.ratio.toFixed(2)} | ${row.target} | ${row.met ? 'yes' : 'NO'} |`);
console.log('\nSignet and floor: medians over the rounds; ratio: the median of the per-round ratios (drift falls on both sides of each), so it need not be their quotient.');
console.log(`\n${machine}; ${new Date().toISOString()}${smoke ? '; smoke mode' : ''}`);
