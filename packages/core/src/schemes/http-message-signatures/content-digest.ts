import { digest, digestSync } from '../../platform/crypto.js';
import type { DigestName } from '../../platform/types.js';
import { parseDictionary, serializeDictionary } from './structured-field.js';

/** The Content-Digest algorithms Signet computes and checks (RFC 9530 §5, both "Active"). */
export type ContentDigestAlgorithm = 'sha-256' | 'sha-512';

const HASHES: Readonly<Record<ContentDigestAlgorithm, DigestName>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/** @internal Whether `value` is a Content-Digest algorithm Signet supports. */
export function isContentDigestAlgorithm(value: unknown): value is ContentDigestAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HASHES, value);
}

/**
 * @internal The Content-Digest field value (RFC 9530 §2) of the exact content bytes: `sha-256=:<base64>:`. No body is
 * empty content, whose digest is that of zero bytes.
 */
export function contentDigest(body: Uint8Array | undefined, algorithm: ContentDigestAlgorithm): string | Promise<string> {
  const field = (bytes: Uint8Array): string => serializeDictionary([[algorithm, { value: new Uint8Array(bytes), params: [] }]]);
  const bytes = digest(HASHES[algorithm], body ?? new Uint8Array(0));
  return bytes instanceof Uint8Array ? field(bytes) : bytes.then(field);
}

/**
 * @internal Checks a received Content-Digest against the bytes received: every member of a supported algorithm must
 * match, and there must be at least one. `'unsupported'` when the field names only other algorithms (or is not a
 * Dictionary of Byte Sequences), `'mismatch'` when a digest differs.
 */
export function checkContentDigest(field: string, body: Uint8Array): 'ok' | 'mismatch' | 'unsupported' {
  let members;
  try {
    members = parseDictionary(field);
  } catch {
    return 'unsupported';
  }
  let checked = 0;
  for (const [key, member] of members) {
    if (!isContentDigestAlgorithm(key)) continue;
    if (!('value' in member) || !(member.value instanceof Uint8Array)) return 'unsupported';
    if (!sameBytes(member.value, digestSync(HASHES[key], body))) return 'mismatch';
    checked++;
  }
  return checked === 0 ? 'unsupported' : 'ok';
}

/** Compares in time that depends on the length only, not on where the first difference is. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
