/**
 * The platform seam, Node build: every cryptographic primitive @signet/verify uses, on `node:crypto`. The web build
 * (crypto.web.ts, swapped in by the esbuild plugin of tsup.config.ts) exports the same names on WebCrypto; all the
 * verification logic around them is shared. Keep this module narrow: primitives only, no policy.
 * @internal
 */
import { Buffer } from 'node:buffer';
import { KeyObject, constants, createHmac, createPublicKey, generateKeyPairSync, timingSafeEqual, verify } from 'node:crypto';
import { type JwsAlgorithm, SignetError } from '@signet/core';
import { ALGORITHMS, loadHmacSecret } from '@signet/internal';

/** A parsed verification key: on Node a `KeyObject` (its `type`, `asymmetricKeyType` and details feed `keyMisfit`). */
export type VerifyKey = KeyObject;

/**
 * Parses a public key once: PEM (SPKI, PKCS#1, a certificate), DER SPKI bytes, a JWK, a `KeyObject` or a `CryptoKey`.
 * A private key is reduced to its public half; a secret is `ERR_KEY_TYPE`, anything unparsable `ERR_KEY_INVALID`.
 */
export function publicKeyFrom(input: unknown, what: string): VerifyKey {
  const key = input instanceof CryptoKey ? KeyObject.from(input) : input;
  if (key instanceof KeyObject) {
    if (key.type === 'public') return key;
    if (key.type === 'private') return createPublicKey(key);
    throw new SignetError('ERR_KEY_TYPE', `${what} is a secret key; a public key is required.`);
  }
  if (isJwk(key)) {
    if (key['kty'] === 'oct') throw new SignetError('ERR_KEY_TYPE', `${what} is a secret key; a public key is required.`);
    return parsed(() => createPublicKey({ key, format: 'jwk' }), what);
  }
  if ((typeof key !== 'string' && !(key instanceof Uint8Array)) || key.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a non-empty PEM string, DER bytes, a JWK, a KeyObject or a CryptoKey.`);
  }
  const bytes = typeof key === 'string' ? undefined : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  const pem = bytes === undefined || bytes.includes('-----BEGIN');
  return parsed(() => (pem ? createPublicKey(bytes ?? (key as string)) : createPublicKey({ key: bytes, format: 'der', type: 'spki' })), what);
}

/** @internal A JWK: a plain object with a `kty`. */
export const isJwk = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && typeof (input as { kty?: unknown }).kty === 'string';

function parsed(parse: () => KeyObject, what: string): KeyObject {
  try {
    return parse();
  } catch {
    throw new SignetError('ERR_KEY_INVALID', `${what} could not be parsed as a public key (PEM, certificate, DER SPKI or JWK).`);
  }
}

/** An HMAC secret (string, bytes, secret `KeyObject` or `CryptoKey`, "oct" JWK), with core's checks: never empty, never a PEM key. */
export function secretKeyFrom(input: unknown, what: string): VerifyKey {
  return loadHmacSecret(input, what);
}

/**
 * Whether `signature` is `alg`'s signature of `data` under `key` (already checked to fit `alg`). ECDSA signatures
 * are IEEE P1363 (`r || s`), as JWS spells them; HMAC compares in constant time. Synchronous here; the web build's
 * is a promise (WebCrypto), hence the type both share.
 */
export function verifySignature(alg: JwsAlgorithm, key: VerifyKey, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean> {
  const spec = ALGORITHMS[alg];
  if (spec.family === 'hmac') {
    const expected = createHmac(spec.hash as string, key)
      .update(data)
      .digest();
    // Lengths are public; comparing them first keeps timingSafeEqual from throwing.
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
  if (spec.family === 'ec') return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (spec.family === 'rsa-pss') return verify(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.pssSaltLength as number }, signature);
  return verify(spec.hash, data, key, signature);
}

/** A fresh public key of an EC curve (Node's name, e.g. `prime256v1`) or Ed25519, whose private half is dropped. */
export function throwawayPublicKey(family: 'ec' | 'eddsa', curve: string | undefined): VerifyKey {
  return family === 'ec' ? generateKeyPairSync('ec', { namedCurve: curve as string }).publicKey : generateKeyPairSync('ed25519').publicKey;
}

/** Equality of two byte strings in time that depends on their length only. */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);
