import { hexOf } from './platform/bytes.js';
import { digest, digestSync } from './platform/crypto.js';

/**
 * The `bodyHash` claim: lowercase hex SHA-256 of the exact body bytes. A missing or zero-length body hashes as
 * `emptyBody` instead (`'{}'` in the reference scheme; `''` for APIs of the same family that hash empty input).
 * A Buffer or typed array is hashed in place: no copy, whatever its size. Synchronous in the Node build; a promise
 * in the web build, where WebCrypto's `digest` does it.
 * @internal
 */
export function hashBody(body: Uint8Array | undefined, emptyBodyHash: string): string | Promise<string> {
  if (body === undefined || body.byteLength === 0) return emptyBodyHash;
  const bytes = digest('sha256', body);
  return bytes instanceof Uint8Array ? hexOf(bytes) : bytes.then(hexOf);
}

/** @internal Hex SHA-256 of a small input, synchronously in every build. */
export function sha256Hex(bytes: string | Uint8Array): string {
  return hexOf(digestSync('sha256', bytes));
}
