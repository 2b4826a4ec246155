import { ALGORITHMS, type JwsAlgorithm } from './algorithm-registry.js';
import type { SignParams } from './platform/types.js';

/** @internal How a JWS algorithm signs, from its registry entry. */
export function jwsSignParams(algorithm: JwsAlgorithm): SignParams {
  const spec = ALGORITHMS[algorithm];
  return {
    family: spec.family,
    hash: spec.hash,
    saltLength: spec.pssSaltLength,
    ecdsa: spec.curveOrder === undefined ? undefined : { bytes: spec.signatureBytes as number, lowSOrder: spec.curveOrder },
  };
}
