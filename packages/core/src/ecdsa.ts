import { Buffer } from './platform/buffer.js';
import { SignetError } from './errors.js';

/** The big-endian bytes of a curve order `n` and of `n >> 1`, computed once per curve. */
interface OrderBytes {
  order: Uint8Array;
  half: Uint8Array;
}
const orderBytes = new Map<bigint, OrderBytes>();

function bytesOf(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}

// Signing goes through here once per ECDSA signature (a remote key at thousands a second): bytes are compared and
// subtracted as they are, with the order's bytes computed once, rather than converting every signature to BigInt.
function bytesFor(order: bigint, length: number): OrderBytes {
  let entry = orderBytes.get(order);
  if (entry === undefined || entry.order.length !== length) {
    entry = { order: bytesOf(order, length), half: bytesOf(order >> 1n, length) };
    orderBytes.set(order, entry);
  }
  return entry;
}

/** Whether the big-endian `s` (starting at `at` in `signature`) is at most `limit` of the same length. */
function atMost(signature: Uint8Array, at: number, limit: Uint8Array): boolean {
  for (let i = 0; i < limit.length; i++) {
    const byte = signature[at + i] as number;
    const bound = limit[i] as number;
    if (byte !== bound) return byte < bound;
  }
  return true;
}

/**
 * Whether an IEEE P1363 `r || s` signature has `s <= n / 2`, for the curve order `n` of the algorithm's registry
 * entry. ECDSA signatures are malleable: `(r, n - s)` verifies too, so a verifier that accepts both lets one token
 * take two spellings. Signet signs and accepts the low half only.
 * @internal
 */
export function isLowS(signature: Uint8Array, order: bigint): boolean {
  const half = signature.length / 2;
  return atMost(signature, half, bytesFor(order, half).half);
}

/** @internal Rewrites a P1363 signature in place to its low-S twin when `s > n / 2`; returns it. */
export function normalizeLowS<T extends Uint8Array>(signature: T, order: bigint): T {
  const half = signature.length / 2;
  const bytes = bytesFor(order, half);
  if (atMost(signature, half, bytes.half)) return signature;
  // s := n - s, byte by byte from the least significant end (s < n, so nothing is borrowed past the top).
  let borrow = 0;
  for (let i = half - 1; i >= 0; i--) {
    const difference = (bytes.order[i] as number) - (signature[half + i] as number) - borrow;
    borrow = difference < 0 ? 1 : 0;
    signature[half + i] = difference & 0xff;
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
