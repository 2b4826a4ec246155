import { Buffer } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary, serializeDictionary } from './structured-field.js';

/** The Content-Digest algorithms Signet computes and checks (RFC 9530 §5, both "Active"). */
export type ContentDigestAlgorithm = 'sha-256' | 'sha-512';

const HASHES: Readonly<Record<ContentDigestAlgorithm, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/** @internal Whether `value` is a Content-Digest algorithm Signet supports. */
export function isContentDigestAlgorithm(value: unknown): value is ContentDigestAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HASHES, value);
}

/**
 * @internal The Content-Digest field value (RFC 9530 §2) of the exact content bytes: `sha-256=:<base64>:`. No body is
 * empty content, whose digest is that of zero bytes.
 */
export function contentDigest(body: Uint8Array | undefined, algorithm: ContentDigestAlgorithm): string {
  const digest = createHash(HASHES[algorithm])
    .update(body ?? new Uint8Array(0))
    .digest();
  return serializeDictionary([[algorithm, { value: new Uint8Array(digest), params: [] }]]);
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
    const expected = createHash(HASHES[key]).update(body).digest();
    const given = Buffer.from(member.value);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'mismatch';
    checked++;
  }
  return checked === 0 ? 'unsupported' : 'ok';
}
