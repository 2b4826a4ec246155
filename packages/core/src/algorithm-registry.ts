import { SignetError } from './errors.js';

/**
 * The JWS algorithms Signet signs and verifies with (RFC 7518; EdDSA per RFC 8037), in a stable order. `none` is
 * never one of them. Use it to offer a choice or to check a value before passing it on.
 * @example
 * ```ts
 * import { JWS_ALGORITHMS, type JwsAlgorithm } from '@signet/core';
 * const isAlgorithm = (value: string): value is JwsAlgorithm => (JWS_ALGORITHMS as readonly string[]).includes(value);
 * ```
 */
export const JWS_ALGORITHMS = Object.freeze(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const);

/** One of {@link JWS_ALGORITHMS}. */
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

/** @internal */
export type KeyFamily = 'hmac' | 'rsa' | 'rsa-pss' | 'ec' | 'eddsa';

/**
 * Everything Signet knows about one algorithm. Signing, verifying and key checks all read it from here, so the
 * two sides cannot disagree on what a key or a signature must look like.
 * @internal
 */
export interface AlgorithmSpec {
  readonly family: KeyFamily;
  /** The `asymmetricKeyType` values a key may have; empty for HMAC, whose key is a secret. */
  readonly keyTypes: readonly string[];
  /** The digest Node's crypto is asked for; `null` for EdDSA, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** The digest's size: the HMAC tag's length. */
  readonly digestBytes?: number;
  /** HMAC: the shortest secret RFC 7518 §3.2 allows (the digest size). */
  readonly minSecretBytes?: number;
  /** RSA: the smallest modulus accepted (RFC 7518 §3.3). */
  readonly minRsaBits?: number;
  /** PS256: the salt length, the digest size (RFC 7518 §3.5). */
  readonly pssSaltLength?: number;
  /** ECDSA: the curve (OpenSSL's name), its group order and the raw `r || s` signature length (RFC 7518 §3.4). */
  readonly curve?: string;
  readonly curveOrder?: bigint;
  readonly signatureBytes?: number;
}

const MIN_RSA_BITS = 2048;
const RSA = ['rsa'] as const;
// The group orders (SEC 2, FIPS 186-4 D.1.2): `s` and `n - s` are both valid ECDSA signatures.
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P384_ORDER = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
// P-521's order is 521 bits: r and s take 66 bytes each (RFC 7518 §3.4), so ES512 signatures are 132 bytes.
const P521_ORDER = 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n;

/** @internal */
export const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = Object.freeze({
  HS256: { family: 'hmac', keyTypes: [], hash: 'sha256', digestBytes: 32, minSecretBytes: 32 },
  HS384: { family: 'hmac', keyTypes: [], hash: 'sha384', digestBytes: 48, minSecretBytes: 48 },
  HS512: { family: 'hmac', keyTypes: [], hash: 'sha512', digestBytes: 64, minSecretBytes: 64 },
  RS256: { family: 'rsa', keyTypes: RSA, hash: 'sha256', digestBytes: 32, minRsaBits: MIN_RSA_BITS },
  RS384: { family: 'rsa', keyTypes: RSA, hash: 'sha384', digestBytes: 48, minRsaBits: MIN_RSA_BITS },
  RS512: { family: 'rsa', keyTypes: RSA, hash: 'sha512', digestBytes: 64, minRsaBits: MIN_RSA_BITS },
  PS256: { family: 'rsa-pss', keyTypes: ['rsa', 'rsa-pss'], hash: 'sha256', digestBytes: 32, minRsaBits: MIN_RSA_BITS, pssSaltLength: 32 },
  ES256: { family: 'ec', keyTypes: ['ec'], hash: 'sha256', digestBytes: 32, curve: 'prime256v1', curveOrder: P256_ORDER, signatureBytes: 64 },
  ES384: { family: 'ec', keyTypes: ['ec'], hash: 'sha384', digestBytes: 48, curve: 'secp384r1', curveOrder: P384_ORDER, signatureBytes: 96 },
  ES512: { family: 'ec', keyTypes: ['ec'], hash: 'sha512', digestBytes: 64, curve: 'secp521r1', curveOrder: P521_ORDER, signatureBytes: 132 },
  EdDSA: { family: 'eddsa', keyTypes: ['ed25519', 'ed448'], hash: null },
});

/** @internal The registry entry of a user-given algorithm; anything else is `ERR_INVALID_OPTION`. */
export function algorithmSpec(algorithm: unknown): AlgorithmSpec {
  if (typeof algorithm !== 'string' || !Object.hasOwn(ALGORITHMS, algorithm)) {
    throw new SignetError('ERR_INVALID_OPTION', `algorithm must be one of ${JWS_ALGORITHMS.join(', ')}.`);
  }
  return ALGORITHMS[algorithm as JwsAlgorithm];
}
