import { type KeyObject, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JwsAlgorithm } from '@signet/core';
import { ALGORITHMS } from '@signet/internal';

const decoys = new Map<string, KeyObject>();

/**
 * A public key nobody holds the private half of, of the algorithm's family: an unknown API key is checked against
 * it, so that its refusal costs what a bad signature costs and the two cannot be told apart by timing.
 * @internal
 */
export function decoyKey(alg: JwsAlgorithm): KeyObject {
  const spec = ALGORITHMS[alg];
  const id = spec.family === 'ec' ? `ec:${spec.curve}` : spec.family;
  let key = decoys.get(id);
  if (key === undefined) {
    key = makeDecoy(spec.family, spec.curve);
    decoys.set(id, key);
  }
  return key;
}

function makeDecoy(family: string, curve: string | undefined): KeyObject {
  if (family === 'ec') return generateKeyPairSync('ec', { namedCurve: curve as string }).publicKey;
  if (family === 'eddsa') return generateKeyPairSync('ed25519').publicKey;
  // An RSA public key is only a modulus: any odd 2048-bit number serves, without generating primes.
  const modulus = randomBytes(256);
  modulus[0] = (modulus[0] as number) | 0x80;
  modulus[255] = (modulus[255] as number) | 1;
  return createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: 'AQAB' }, format: 'jwk' });
}
