import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { type VerifyConfig, createVerifier } from 'http-message-signatures';
import type { HttpSignatureAlgorithm } from '@signet/core';

export interface KeyPair {
  /** What signs: a private KeyObject, or the HMAC secret. */
  signing: KeyObject | Buffer;
  /** What verifies: a public KeyObject, or the HMAC secret. */
  verifying: KeyObject | Buffer;
}

/** One key per algorithm, made once per run. */
export const keyPairs: Record<HttpSignatureAlgorithm, KeyPair> = (() => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pair = (keys: { privateKey: KeyObject; publicKey: KeyObject }): KeyPair => ({ signing: keys.privateKey, verifying: keys.publicKey });
  const secret = randomBytes(32);
  return {
    'rsa-pss-sha512': pair(rsa),
    'rsa-v1_5-sha256': pair(rsa),
    'hmac-sha256': { signing: secret, verifying: secret },
    'ecdsa-p256-sha256': pair(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
    'ecdsa-p384-sha384': pair(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
    ed25519: pair(generateKeyPairSync('ed25519')),
  };
})();

/** A keyLookup for the package's verifyMessage: key `k` of `algorithm`, nothing else. */
export function packageKeyLookup(algorithm: HttpSignatureAlgorithm): VerifyConfig['keyLookup'] {
  return async (params) => (params.keyid === 'k' ? { id: 'k', algs: [algorithm], verify: createVerifier(keyPairs[algorithm].verifying, algorithm) } : null);
}
