import type { DigestName } from './types.js';

// SHA-256, SHA-384 and SHA-512 (FIPS 180-4) in plain TypeScript, for the web build's synchronous digests of small
// inputs (JWK thumbprints, `ath`, query hashes), where WebCrypto's `digest` is asynchronous only. Bodies go to
// WebCrypto. The round constants are computed, as the standard defines them, rather than copied.

const PRIMES: number[] = [];
for (let n = 2; PRIMES.length < 80; n++) if (PRIMES.every((p) => n % p !== 0)) PRIMES.push(n);

/** floor(x^(1/k)) for k = 2 or 3, by Newton's method from above. */
function integerRoot(x: bigint, k: 2n | 3n): bigint {
  let r = BigInt(Math.ceil(Number(x) ** (1 / Number(k)))) + (1n << 24n);
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

/** The first `bits` bits of the fractional part of the square or cube root of `prime`. */
const fraction = (prime: number, k: 2n | 3n, bits: bigint): bigint => integerRoot(BigInt(prime) << (BigInt(k) * bits), k) & ((1n << bits) - 1n);

const K256 = Uint32Array.from(PRIMES.slice(0, 64), (p) => Number(fraction(p, 3n, 32n)));
const IV256 = Uint32Array.from(PRIMES.slice(0, 8), (p) => Number(fraction(p, 2n, 32n)));
const K512 = PRIMES.map((p) => fraction(p, 3n, 64n));
const IV512 = PRIMES.slice(0, 8).map((p) => fraction(p, 2n, 64n));
const IV384 = PRIMES.slice(8, 16).map((p) => fraction(p, 2n, 64n));

/** The message with its 1 bit, zeros and big-endian bit length, to a multiple of `block` bytes. */
function padded(data: Uint8Array, block: number, lengthBytes: number): Uint8Array {
  const size = Math.ceil((data.length + 1 + lengthBytes) / block) * block;
  const out = new Uint8Array(size);
  out.set(data);
  out[data.length] = 0x80;
  const view = new DataView(out.buffer);
  const bits = data.length * 8;
  view.setUint32(size - 4, bits >>> 0);
  view.setUint32(size - 8, Math.floor(bits / 2 ** 32));
  return out;
}

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

function sha256(data: Uint8Array): Uint8Array {
  const message = padded(data, 64, 8);
  const view = new DataView(message.buffer);
  const h = Uint32Array.from(IV256);
  const w = new Uint32Array(64);
  for (let block = 0; block < message.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + t * 4);
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15] as number;
      const b = w[t - 2] as number;
      w[t] = (w[t - 16] as number) + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + (w[t - 7] as number) + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10));
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as [number, number, number, number, number, number, number, number];
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (K256[t] as number) + (w[t] as number)) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((value, i) => (h[i] = (h[i] as number) + value));
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((value, i) => outView.setUint32(i * 4, value));
  return out;
}

const MASK64 = (1n << 64n) - 1n;
const rotr64 = (x: bigint, n: bigint): bigint => ((x >> n) | (x << (64n - n))) & MASK64;

function sha512(data: Uint8Array, iv: readonly bigint[], outBytes: number): Uint8Array {
  const message = padded(data, 128, 16);
  const view = new DataView(message.buffer);
  const h = [...iv];
  const w: bigint[] = new Array<bigint>(80);
  for (let block = 0; block < message.length; block += 128) {
    for (let t = 0; t < 16; t++) w[t] = view.getBigUint64(block + t * 8);
    for (let t = 16; t < 80; t++) {
      const a = w[t - 15] as bigint;
      const b = w[t - 2] as bigint;
      w[t] = ((w[t - 16] as bigint) + (rotr64(a, 1n) ^ rotr64(a, 8n) ^ (a >> 7n)) + (w[t - 7] as bigint) + (rotr64(b, 19n) ^ rotr64(b, 61n) ^ (b >> 6n))) & MASK64;
    }
    let [a, b, c, d, e, f, g, hh] = h as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    for (let t = 0; t < 80; t++) {
      const t1 = (hh + (rotr64(e, 14n) ^ rotr64(e, 18n) ^ rotr64(e, 41n)) + ((e & f) ^ (~e & MASK64 & g)) + (K512[t] as bigint) + (w[t] as bigint)) & MASK64;
      const t2 = ((rotr64(a, 28n) ^ rotr64(a, 34n) ^ rotr64(a, 39n)) + ((a & b) ^ (a & c) ^ (b & c))) & MASK64;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) & MASK64;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) & MASK64;
    }
    [a, b, c, d, e, f, g, hh].forEach((value, i) => (h[i] = ((h[i] as bigint) + value) & MASK64));
  }
  const out = new Uint8Array(64);
  const outView = new DataView(out.buffer);
  h.forEach((value, i) => outView.setBigUint64(i * 8, value));
  return out.subarray(0, outBytes);
}

/** @internal The digest of `data`, synchronously, without node:crypto. */
export function sha2(hash: DigestName, data: Uint8Array): Uint8Array {
  if (hash === 'sha256') return sha256(data);
  return hash === 'sha512' ? sha512(data, IV512, 64) : sha512(data, IV384, 48);
}
