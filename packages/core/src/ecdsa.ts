import type { Buffer } from 'node:buffer';

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
