import { Buffer } from 'node:buffer';
import { type KeyObject, type SignKeyObjectInput, constants, createHmac } from 'node:crypto';
import { normalizeLowS } from './ecdsa.js';
import { SignetError } from './errors.js';
import { type OffloadMode, signData } from './offload.js';

/** The JWS algorithms Signet signs with (RFC 7518; EdDSA per RFC 8037). `none` is never one of them. */
export type JwsAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

/** @internal */
export type KeyFamily = 'hmac' | 'rsa' | 'rsa-pss' | 'ec' | 'eddsa';

/** @internal */
export interface AlgorithmSpec {
  family: KeyFamily;
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** HMAC: the shortest secret RFC 7518 §3.2 allows (the hash size); EC: the curve. */
  minSecretBytes?: number;
  curve?: string;
}

/** @internal */
export const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = {
  HS256: { family: 'hmac', hash: 'sha256', minSecretBytes: 32 },
  HS384: { family: 'hmac', hash: 'sha384', minSecretBytes: 48 },
  HS512: { family: 'hmac', hash: 'sha512', minSecretBytes: 64 },
  RS256: { family: 'rsa', hash: 'sha256' },
  RS384: { family: 'rsa', hash: 'sha384' },
  RS512: { family: 'rsa', hash: 'sha512' },
  PS256: { family: 'rsa-pss', hash: 'sha256' },
  ES256: { family: 'ec', hash: 'sha256', curve: 'prime256v1' },
  ES384: { family: 'ec', hash: 'sha384', curve: 'secp384r1' },
  EdDSA: { family: 'eddsa', hash: null },
};

/** @internal */
export function algorithmSpec(algorithm: unknown): AlgorithmSpec {
  if (typeof algorithm !== 'string' || !Object.hasOwn(ALGORITHMS, algorithm)) {
    throw new SignetError('ERR_INVALID_OPTION', `algorithm must be one of ${Object.keys(ALGORITHMS).join(', ')}.`);
  }
  return ALGORITHMS[algorithm as JwsAlgorithm];
}

/** @internal base64url without padding (RFC 7515 §2). */
export function base64url(input: string | Uint8Array): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength)).toString('base64url');
}

/**
 * Mints compact JWS tokens for one protected header and one key that were checked beforehand. The header is
 * encoded once. HMAC is computed inline (it costs less than a thread hop); asymmetric signatures go through
 * `signData`, which puts them on libuv's thread pool whenever signatures overlap (see {@link OffloadMode}). This
 * is the one signing path of every algorithm family: sync and async share every input.
 * @internal
 */
export function jwsMinter(
  algorithm: JwsAlgorithm,
  key: KeyObject,
  header: object = { alg: algorithm, typ: 'JWT' },
  offload: OffloadMode = 'auto',
): (claims: object) => Promise<string> {
  const spec = ALGORITHMS[algorithm];
  const encodedHeader = base64url(JSON.stringify(header));
  const signingInputOf = (claims: object): string => `${encodedHeader}.${base64url(JSON.stringify(claims))}`;

  if (spec.family === 'hmac') {
    const hash = spec.hash as string;
    return (claims) => {
      const signingInput = signingInputOf(claims);
      return Promise.resolve(`${signingInput}.${createHmac(hash, key).update(signingInput, 'latin1').digest('base64url')}`);
    };
  }

  const signKey: KeyObject | SignKeyObjectInput =
    spec.family === 'rsa-pss'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      : spec.family === 'ec'
        ? { key, dsaEncoding: 'ieee-p1363' }
        : key;
  return async (claims) => {
    const signingInput = signingInputOf(claims);
    let signature: Buffer;
    try {
      signature = await signData(spec.hash, Buffer.from(signingInput, 'latin1'), signKey, offload);
      // Verifiers that refuse malleable ECDSA (Signet's among them) accept only the low-S half.
      if (spec.family === 'ec') signature = normalizeLowS(signature, spec.curve as string);
    } catch {
      throw new SignetError('ERR_SIGNING_FAILED', `${algorithm} signing failed in the crypto library.`);
    }
    return `${signingInput}.${signature.toString('base64url')}`;
  };
}
