import { ALGORITHMS, type JwsAlgorithm } from './algorithm-registry.js';
import type { KeyShape } from './platform/types.js';

/**
 * Why a key cannot serve an algorithm: the error code and the problem, worded to follow the key's name
 * (`privateKey is a 1024-bit RSA key; …`). It describes the key's kind, never its content.
 * @internal
 */
export interface KeyMisfit {
  code: 'ERR_KEY_TYPE' | 'ERR_KEY_TOO_SMALL';
  problem: string;
}

/**
 * The one answer to "may this key sign (or verify) this algorithm?", read from the algorithm's registry entry: the
 * key's kind for the usage (a secret for HMAC, else private to sign and public to verify), its type, RSA size,
 * RSA-PSS restrictions and curve. `undefined` when the key fits.
 * @internal
 */
export function keyMisfit(key: KeyShape, alg: JwsAlgorithm, usage: 'sign' | 'verify'): KeyMisfit | undefined {
  const spec = ALGORITHMS[alg];
  const wanted = spec.family === 'hmac' ? 'secret' : usage === 'sign' ? 'private' : 'public';
  if (key.type !== wanted) {
    return { code: 'ERR_KEY_TYPE', problem: `is a ${key.type} key; ${alg} needs a ${wanted === 'secret' ? 'shared secret' : `${wanted} key`}` };
  }
  if (spec.family === 'hmac') return undefined;
  const type = key.asymmetricKeyType ?? 'unknown';
  if (!spec.keyTypes.includes(type)) return { code: 'ERR_KEY_TYPE', problem: `is an ${type} key; ${alg} needs ${spec.keyTypes.join(' or ')}` };
  const details = key.asymmetricKeyDetails ?? {};
  if (spec.minRsaBits !== undefined) {
    const bits = details.modulusLength ?? 0;
    if (bits < spec.minRsaBits) return { code: 'ERR_KEY_TOO_SMALL', problem: `is a ${bits}-bit RSA key; at least ${spec.minRsaBits} bits are required` };
  }
  if (type === 'rsa-pss') {
    // An RSA-PSS key may be restricted to other digests or a longer salt than the algorithm uses.
    const { hashAlgorithm, mgf1HashAlgorithm, saltLength } = details;
    const salt = spec.pssSaltLength ?? 0;
    if ((hashAlgorithm !== undefined && hashAlgorithm !== spec.hash) || (mgf1HashAlgorithm !== undefined && mgf1HashAlgorithm !== spec.hash) || (saltLength !== undefined && saltLength > salt)) {
      return { code: 'ERR_KEY_TYPE', problem: `is an RSA-PSS key restricted to parameters ${alg} cannot use (${spec.hash}, salt ${salt} bytes)` };
    }
  }
  if (spec.curve !== undefined && details.namedCurve !== spec.curve) {
    return { code: 'ERR_KEY_TYPE', problem: `is on curve ${details.namedCurve ?? 'unknown'}; ${alg} needs ${spec.curve}` };
  }
  return undefined;
}

/**
 * Whether `key` can `usage` `alg`; {@link keyMisfit} says why not.
 * @internal
 */
export function keyFits(key: KeyShape, alg: JwsAlgorithm, usage: 'sign' | 'verify'): boolean {
  return keyMisfit(key, alg, usage) === undefined;
}
