import { createHash } from 'node:crypto';

/**
 * The `bodyHash` claim: lowercase hex SHA-256 of the exact body bytes. A missing or zero-length body hashes as
 * `emptyBody` instead (`'{}'` in the reference scheme; `''` for APIs of the same family that hash empty input).
 * A Buffer or typed array is hashed in place: no copy, whatever its size.
 * @internal
 */
export function hashBody(body: Uint8Array | undefined, emptyBodyHash: string): string {
  if (body === undefined || body.byteLength === 0) return emptyBodyHash;
  return createHash('sha256').update(body).digest('hex');
}

/** @internal */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
