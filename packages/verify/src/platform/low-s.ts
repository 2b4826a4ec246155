/**
 * Whether an IEEE P1363 `r || s` signature has `s <= n / 2` for the curve order `n`: core's `isLowS`, without the
 * `node:buffer` import its module carries (a bundle keeps it even unused), so the web build reaches no Node module.
 * The lead dedupes this with core's once core's own web port lands.
 * @internal
 */
export function isLowS(signature: Uint8Array, order: bigint): boolean {
  let s = 0n;
  for (const byte of signature.subarray(signature.length / 2)) s = (s << 8n) | BigInt(byte);
  return s <= order >> 1n;
}
