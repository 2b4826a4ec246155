import type { Buffer } from 'node:buffer';

// The group orders of the curves JWS uses (SEC 2, FIPS 186-4 D.1.2); `s` and `n - s` are both valid signatures.
const ORDERS: Readonly<Record<string, bigint>> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  secp521r1:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};

function toBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Whether an IEEE P1363 `r || s` signature has `s <= n / 2`. ECDSA signatures are malleable: `(r, n - s)` verifies
 * too, so a verifier that accepts both lets one token take two spellings. Signet signs and accepts the low half only.
 * @internal
 */
export function isLowS(signature: Uint8Array, curve: string): boolean {
  const n = ORDERS[curve];
  if (n === undefined) return false;
  return toBigInt(signature.subarray(signature.length / 2)) <= n >> 1n;
}

/** @internal Rewrites a P1363 signature in place to its low-S twin when `s > n / 2`; returns it. */
export function normalizeLowS(signature: Buffer, curve: string): Buffer {
  const n = ORDERS[curve];
  if (n === undefined || isLowS(signature, curve)) return signature;
  const half = signature.length / 2;
  let s = n - toBigInt(signature.subarray(half));
  for (let i = signature.length - 1; i >= half; i--) {
    signature[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return signature;
}
