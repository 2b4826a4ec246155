import type { JwsAlgorithm } from '@signet/core';
import { ALGORITHMS, base64urlOf, randomBytes } from '@signet/internal';
import { type VerifyKey, publicKeyFrom, throwawayPublicKey } from './platform/crypto.js';

const decoys = new Map<string, VerifyKey>();

/**
 * A public key nobody holds the private half of, of the algorithm's family: an unknown API key is checked against
 * it, so that its refusal costs what a bad signature costs and the two cannot be told apart by timing. Made once
 * per family; on the web build an EC or Ed25519 decoy is generated on its first use (WebCrypto is asynchronous).
 * @internal
 */
export function decoyKey(alg: JwsAlgorithm): VerifyKey {
  const spec = ALGORITHMS[alg];
  const id = spec.family === 'ec' ? `ec:${spec.curve}` : spec.family;
  let key = decoys.get(id);
  if (key === undefined) {
    key = makeDecoy(spec.family, spec.curve);
    decoys.set(id, key);
  }
  return key;
}

function makeDecoy(family: string, curve: string | undefined): VerifyKey {
  if (family === 'ec' || family === 'eddsa') return throwawayPublicKey(family, curve);
  // An RSA public key is only a modulus: any odd 2048-bit number serves, without generating primes.
  const modulus = randomBytes(256);
  modulus[0] = (modulus[0] as number) | 0x80;
  modulus[255] = (modulus[255] as number) | 1;
  return publicKeyFrom({ kty: 'RSA', n: base64urlOf(modulus), e: 'AQAB' }, 'The decoy key');
}
