import { SignetError } from './errors.js';
import { base64urlOf } from './platform/bytes.js';
import { type PlatformKey, digestSync, publicJwkOf } from './platform/crypto.js';

/** The members RFC 7638 §3.2 hashes for each key type, in the lexicographic order it requires. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };

/**
 * The public half of an asymmetric key as a JWK holding only the members RFC 7638 names (`kty`, `crv`, `x`, `y`,
 * `n`, `e`): never a private member, whatever the input was.
 * @internal
 */
export function publicJwk(key: PlatformKey): Record<string, string> {
  let exported: Record<string, unknown>;
  try {
    exported = publicJwkOf(key);
  } catch {
    // Node cannot write an RSA-PSS-restricted key as a JWK; a plain RSA key signs PS256 just as well. The web build
    // reads the public half from the key's container, and an Ed25519 PKCS#8 as Node writes it does not hold one.
    throw new SignetError(
      'ERR_KEY_TYPE',
      `privateKey is an ${key.asymmetricKeyType ?? 'unknown'} key whose public half cannot be written as a JWK here; use a plain RSA or EC key, or (without node:crypto) a private JWK, which carries its public half.`,
    );
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
  return base64urlOf(digestSync('sha256', JSON.stringify(canonical)));
}
