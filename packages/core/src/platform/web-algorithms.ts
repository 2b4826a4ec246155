import { webCurve } from './der.js';
import type { DigestName, KeyShape, SignParams } from './types.js';

// WebCrypto's parameters for a signature scheme: shared by core's web signer and @signet/verify's web verifier.

/** @internal WebCrypto's names of the digests (Node's names in the algorithm registry). */
export const WEB_HASH: Readonly<Record<DigestName, string>> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/**
 * @internal WebCrypto's algorithm to import a key of `key`'s shape under, and to sign (or, in @signet/verify's web
 * build, verify) with: WebCrypto binds a key to one algorithm and hash.
 */
export function webAlgorithms(params: SignParams, key: KeyShape): { importAs: Algorithm & Record<string, unknown>; signAs: Algorithm & Record<string, unknown> } {
  const hash = params.hash === null ? undefined : WEB_HASH[params.hash];
  switch (params.family) {
    case 'hmac':
      return { importAs: { name: 'HMAC', hash }, signAs: { name: 'HMAC' } };
    case 'rsa':
      return { importAs: { name: 'RSASSA-PKCS1-v1_5', hash }, signAs: { name: 'RSASSA-PKCS1-v1_5' } };
    case 'rsa-pss':
      return { importAs: { name: 'RSA-PSS', hash }, signAs: { name: 'RSA-PSS', saltLength: params.saltLength } };
    case 'ec':
      return { importAs: { name: 'ECDSA', namedCurve: webCurve(key.asymmetricKeyDetails?.namedCurve) }, signAs: { name: 'ECDSA', hash } };
    default: {
      const name = key.asymmetricKeyType === 'ed448' ? 'Ed448' : 'Ed25519';
      return { importAs: { name }, signAs: { name } };
    }
  }
}
