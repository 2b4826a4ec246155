import type { KeyObject } from 'node:crypto';
import { type VerifyKey, publicKeyFrom } from './platform/crypto.js';

/**
 * A verification key: a public key as PEM (SPKI, PKCS#1 or an X.509 certificate) or DER SPKI bytes, a JWK, a
 * `KeyObject` (Node) or a `CryptoKey`. On runtimes without `node:crypto` (the web build), a private key stands in
 * for its public half only as a JWK or an extractable `CryptoKey`.
 */
export type PublicKeyInput = string | Uint8Array | KeyObject | CryptoKey | JsonWebKey;

/**
 * Parses a public key once. A private key is accepted and reduced to its public half; a secret is refused: the
 * request scheme is verified with public keys only, so an HMAC secret can never stand in for one.
 * @internal
 */
export function loadPublicKey(input: unknown, what: string): VerifyKey {
  return publicKeyFrom(input, what);
}
