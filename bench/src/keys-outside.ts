import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { type SigningKey, jwtSigner, requestSigner } from '@signet/core';
import { createTestToken, softHsmMissing } from '@signet/test-support';
import { asyncRate, compare, smoke, syncRate } from './measure.js';
import { delayedKey } from './remote-keys.js';

/** The bench's `record`: one row of the summary table. */
type Record = (figure: string, signet: string, floor: string, ratio: number, target: string, met: boolean) => void;

const LATENCY_MS = 15;
const url = '/v1/payments?merchant=bench&currency=EUR';
const body = Buffer.from(JSON.stringify({ items: 'x'.repeat(1000) }).slice(0, 1024));
const ops = (rate: number): string => `${Math.round(rate).toLocaleString('en-US')}/s`;

/**
 * Section 7: signatures made outside the process. A remote key is a local stand-in (a SigningKey whose sign()
 * waits 15 ms, then signs with node:crypto) so that the figure is Signet's path around a slow backend, with no
 * network noise; then PKCS#11 on a real SoftHSM2 token beside crypto.sign on the same key.
 */
export async function keysOutside(record: Record): Promise<void> {
  await remoteKey(record);
  await pkcs11(record);
}

async function remoteKey(record: Record): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = delayedKey('ES256', privateKey, LATENCY_MS);
  const ideal = (inFlight: number): number => (inFlight * 1000) / LATENCY_MS;
  const request = { method: 'POST', url, body };
  const jwtDefault = jwtSigner({ algorithm: 'ES256', key, claims: { sub: 'bench' } });
  // The tokens are real: one is checked with jsonwebtoken before anything is timed.
  jwt.verify(bearer(await jwtDefault.sign(request)), publicKey, { algorithms: ['ES256'] });

  // Signet's path beside the stand-in called directly, in alternating rounds: the second ratio is what Signet adds
  // around the backend; the first also holds the timer's own lateness (setTimeout(15) answers after 15-16 ms).
  const data = new TextEncoder().encode('x'.repeat(200));
  const full = await compare(
    () => asyncRate(() => jwtDefault.sign(request), 64),
    () => asyncRate(() => key.sign(data), 64),
  );
  record(`remote ES256 key (${LATENCY_MS} ms), 64 in flight, jwtSigner vs 64/${LATENCY_MS} ms`, ops(full.ours), ops(ideal(64)), full.ours / ideal(64), '>= 0.90', full.ours / ideal(64) >= 0.9);
  record('  the same, vs the stand-in key called directly (what Signet adds)', ops(full.ours), ops(full.floor), full.ratio, '(diagnostic)', true);

  const capped = jwtSigner({ algorithm: 'ES256', key, claims: { sub: 'bench' }, maxConcurrentSigns: 8 });
  key.reset();
  const cappedRate = await asyncRate(() => capped.sign(request), 64);
  record('remote key, 64 in flight, maxConcurrentSigns: 8: most calls at the backend at once', String(key.maxInFlight), '8', key.maxInFlight / 8, '= 8', key.maxInFlight === 8);
  record(`remote key, 64 in flight, maxConcurrentSigns: 8: throughput vs 8/${LATENCY_MS} ms`, ops(cappedRate), ops(ideal(8)), cappedRate / ideal(8), '~ 1 (<= 1)', cappedRate <= ideal(8) * 1.01);

  // requestSigner is RS256 only: the stand-in then does RSA-2048 itself, on this thread, after its delay.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsKey = delayedKey('RS256', rsa.privateKey, LATENCY_MS);
  const viaRequest = requestSigner({ apiKey: 'bench-api-key', privateKey: rsKey });
  jwt.verify(bearer(await viaRequest.sign(request)), rsa.publicKey, { algorithms: ['RS256'] });
  const rsRate = await asyncRate(() => viaRequest.sign(request), 64);
  const rsaMs = 1000 / syncRate(() => cryptoSign('sha256', data, rsa.privateKey));
  record(
    `remote RS256 key (${LATENCY_MS} ms), 64 in flight, requestSigner vs 64/${LATENCY_MS} ms (bound by the stand-in's own RSA: ${rsaMs.toFixed(2)} ms each, on this thread)`,
    ops(rsRate),
    ops(ideal(64)),
    rsRate / ideal(64),
    '(diagnostic)',
    true,
  );
}

const bearer = (headers: { [name: string]: string }): string => (headers['Authorization'] ?? '').replace(/^Bearer /, '');

async function pkcs11(record: Record): Promise<void> {
  const missing = softHsmMissing();
  if (missing !== undefined) {
    console.log(`  PKCS#11 rows skipped: ${missing}`);
    record('PKCS#11 (SoftHSM2) vs crypto.sign', 'skipped', 'skipped', NaN, 'softhsm2 not installed', true);
    return;
  }
  const { pkcs11Key } = await import('@signet/pkcs11');
  const token = createTestToken('signet-bench');
  try {
    for (const [label, algorithm] of [
      ['rsa', 'RS256'],
      ['ec', 'ES256'],
    ] as const) {
      const inProcess = token.privateKeys[label];
      for (const inFlight of [1, 8]) {
        // A session per signature in flight (up to 4): a PKCS#11 session runs one operation at a time.
        const key = pkcs11Key({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel: label, algorithm, sessions: Math.min(inFlight, 4) });
        try {
          const held: SigningKey = key;
          const inHsm = jwtSigner({ algorithm, key: held, claims: { sub: 'bench' } });
          const local = jwtSigner({ algorithm, key: inProcess, claims: { sub: 'bench' } });
          jwt.verify(bearer(await inHsm.sign({ method: 'GET', url })), token.publicKeys[label], { algorithms: [algorithm] });
          const r = await compare(
            () => asyncRate(() => inHsm.sign({ method: 'GET', url }), inFlight),
            () => asyncRate(() => local.sign({ method: 'GET', url }), inFlight),
          );
          record(`${algorithm} jwtSigner, ${inFlight} in flight: PKCS#11 key on SoftHSM2 vs the same key in process (crypto.sign)`, ops(r.ours), ops(r.floor), r.ratio, '(report)', true);
        } finally {
          await key.close();
        }
      }
    }
  } finally {
    token.remove();
  }
  if (smoke) console.log('  (smoke: PKCS#11 figures from short runs)');
}
