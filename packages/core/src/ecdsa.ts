import { Buffer } from './platform/buffer.js';
import { SignetError } from './errors.js';

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Whether an IEEE P1363 `r || s` signature has `s <= n / 2`, for the curve order `n` of the algorithm's registry
 * entry. ECDSA signatures are malleable: `(r, n - s)` verifies too, so a verifier that accepts both lets one token
 * take two spellings. Signet signs and accepts the low half only.
 * @internal
 */
export function isLowS(signature: Uint8Array, order: bigint): boolean {
  return toBigInt(signature.subarray(signature.length / 2)) <= order >> 1n;
}

/** @internal Rewrites a P1363 signature in place to its low-S twin when `s > n / 2`; returns it. */
export function normalizeLowS(signature: Buffer, order: bigint): Buffer {
  if (isLowS(signature, order)) return signature;
  const half = signature.length / 2;
  let s = order - toBigInt(signature.subarray(half));
  for (let i = signature.length - 1; i >= half; i--) {
    signature[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return signature;
}

/**
 * Converts a DER `SEQUENCE { INTEGER r, INTEGER s }` (what KMS and many HSMs return) to IEEE P1363 `r || s` of
 * `size` bytes. Anything that is not exactly that structure, or whose integers do not fit, is refused.
 * @internal
 */
export function derToP1363(der: Uint8Array, size: number): Buffer {
  const half = size / 2;
  const fail = (): never => {
    throw new SignetError('ERR_SIGNING_FAILED', `The SigningKey returned an ECDSA signature that is neither ${size} raw bytes nor DER.`);
  };
  let at = 0;
  const readLength = (): number => {
    const first = der[at++] ?? fail();
    if (first < 0x80) return first;
    if (first !== 0x81) return fail();
    const length = der[at++] ?? fail();
    return length < 0x80 ? fail() : length;
  };
  if (der[at++] !== 0x30) fail();
  if (readLength() !== der.length - at) fail();
  const out = Buffer.alloc(size);
  for (const offset of [0, half]) {
    if (der[at++] !== 0x02) fail();
    const length = readLength();
    let value = der.subarray(at, at + length);
    at += length;
    if (value.length !== length || length === 0 || ((value[0] as number) & 0x80) !== 0) fail();
    // DER adds one zero byte to keep a high bit positive; beyond that, a leading zero is not minimal.
    if (value[0] === 0 && value.length > 1) {
      if (((value[1] as number) & 0x80) === 0) fail();
      value = value.subarray(1);
    }
    if (value.length > half) fail();
    out.set(value, offset + half - value.length);
  }
  if (at !== der.length) fail();
  return out;
}
