import { type KeyObject, createHash, createPublicKey } from 'node:crypto';
import { SignetError } from './errors.js';

/** The members RFC 7638 §3.2 hashes for each key type, in the lexicographic order it requires. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };

/**
 * The public half of an asymmetric key as a JWK holding only the members RFC 7638 names (`kty`, `crv`, `x`, `y`,
 * `n`, `e`): never a private member, whatever the input was.
 * @internal
 */
export function publicJwk(key: KeyObject): Record<string, string> {
  let exported: Record<string, unknown>;
  try {
    exported = createPublicKey(key).export({ format: 'jwk' });
  } catch {
    // Node cannot write an RSA-PSS-restricted key as a JWK; a plain RSA key signs PS256 just as well.
    throw new SignetError('ERR_KEY_TYPE', `privateKey is an ${key.asymmetricKeyType ?? 'unknown'} key that cannot be written as a JWK; use a plain RSA, EC or Ed25519 key.`);
  }
  const kty = String(exported['kty']);
  const jwk: Record<string, string> = {};
  for (const name of THUMBPRINT_MEMBERS[kty] ?? []) jwk[name] = String(exported[name]);
  return jwk;
}

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url: what `cnf.jkt` (RFC 9449 §6.1) and `dpop_jkt` carry.
 * `undefined` when a required member is missing or not a string.
 * @internal
 */
export function jwkThumbprint(jwk: Record<string, unknown>): string | undefined {
  const members = THUMBPRINT_MEMBERS[String(jwk['kty'])];
  if (members === undefined) return undefined;
  const canonical: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') return undefined;
    canonical[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
