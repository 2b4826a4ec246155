import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../src/algorithm-registry.js';
import { isLowS, normalizeLowS } from '../src/ecdsa.js';

// The byte arithmetic of ecdsa.ts checked against BigInt done here, independently, and against node:crypto: every
// normalized signature still verifies, and its s is the low half of the curve order (pinned to openssl's by
// algorithm-registry.test.ts).
const CURVES = [
  ['ES256', 'P-256', 'sha256'],
  ['ES384', 'P-384', 'sha384'],
  ['ES512', 'P-521', 'sha512'],
] as const;

const toBigInt = (bytes: Uint8Array): bigint => bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
const withS = (length: number, s: bigint): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= length / 2; i--, s >>= 8n) out[i] = Number(s & 0xffn);
  return out;
};

describe.each(CURVES)('%s low-S', (algorithm, namedCurve, hash) => {
  const order = ALGORITHMS[algorithm].curveOrder as bigint;
  const length = ALGORITHMS[algorithm].signatureBytes as number;
  const half = order >> 1n;

  it('normalizes real signatures to s <= n/2, and they still verify', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    let rewritten = 0;
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`message ${i}`);
      const signature = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const s = toBigInt(signature.subarray(length / 2));
      expect(isLowS(signature, order)).toBe(s <= half);
      const normalized = normalizeLowS(Uint8Array.from(signature), order);
      const expected = s <= half ? s : order - s;
      if (s > half) rewritten += 1;
      expect(toBigInt(normalized.subarray(length / 2))).toBe(expected);
      expect(toBigInt(normalized.subarray(0, length / 2))).toBe(toBigInt(signature.subarray(0, length / 2)));
      expect(verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, normalized)).toBe(true);
    }
    // OpenSSL does not normalize: about half of 64 signatures are high-S, so the rewrite was exercised.
    expect(rewritten).toBeGreaterThan(8);
  });

  it.each([
    ['n/2 (the largest low s)', half, half],
    ['n/2 + 1 (the smallest high s)', half + 1n, order - (half + 1n)],
    ['n - 1', order - 1n, 1n],
    ['1', 1n, 1n],
    ['a value with leading zero bytes', 0x1234n, 0x1234n],
  ])('s = %s', (_name, s, expected) => {
    const signature = withS(length, s);
    expect(isLowS(signature, order)).toBe(s <= half);
    expect(toBigInt(normalizeLowS(signature, order).subarray(length / 2))).toBe(expected);
  });
});
