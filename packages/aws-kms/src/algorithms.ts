import type { JwsAlgorithm } from '@signet/core';

/** How one JWS algorithm is asked of KMS: its `SigningAlgorithm`, the digest hashed here, ECDSA's half size. */
export interface KmsAlgorithm {
  readonly signingAlgorithm: string;
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  /** ECDSA: the byte length of `r` and of `s` in the P1363 form JWS uses (RFC 7518 §3.4). */
  readonly ecHalfBytes?: number;
}

// EdDSA is absent on purpose: KMS signs pure Ed25519 only over the RAW message (ED25519_PH_SHA_512 is Ed25519ph,
// which JWS verifiers do not accept), and the whole point here is that only a digest leaves the process.
const KMS_ALGORITHMS: Readonly<Partial<Record<JwsAlgorithm, KmsAlgorithm>>> = Object.freeze({
  RS256: { signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256', hash: 'sha256' },
  RS384: { signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_384', hash: 'sha384' },
  RS512: { signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512', hash: 'sha512' },
  PS256: { signingAlgorithm: 'RSASSA_PSS_SHA_256', hash: 'sha256' },
  ES256: { signingAlgorithm: 'ECDSA_SHA_256', hash: 'sha256', ecHalfBytes: 32 },
  ES384: { signingAlgorithm: 'ECDSA_SHA_384', hash: 'sha384', ecHalfBytes: 48 },
});

/** The JWS algorithms an AWS KMS key can sign with through `awsKmsKey`. */
export const AWS_KMS_ALGORITHMS = Object.freeze(Object.keys(KMS_ALGORITHMS) as JwsAlgorithm[]);

/** @internal The KMS side of `algorithm`, or `undefined` when KMS cannot sign it as JWS needs. */
export function kmsAlgorithm(algorithm: unknown): KmsAlgorithm | undefined {
  return typeof algorithm === 'string' && Object.hasOwn(KMS_ALGORITHMS, algorithm) ? KMS_ALGORITHMS[algorithm as JwsAlgorithm] : undefined;
}

/**
 * The JWS algorithm a KMS key signs with when the caller named none: ES256 / ES384 for the NIST curves, RS256 for
 * any RSA key (the algorithm every JWT verifier accepts; pass `algorithm: 'PS256'` for PSS). `undefined` for a key
 * spec JWS has no algorithm for here (P-521, secp256k1, SM2, Ed25519, ML-DSA, HMAC, encryption keys).
 * @internal
 */
export function inferAlgorithm(keySpec: string | undefined, signingAlgorithms: readonly string[]): JwsAlgorithm | undefined {
  const candidate: JwsAlgorithm | undefined = keySpec === 'ECC_NIST_P256' ? 'ES256' : keySpec === 'ECC_NIST_P384' ? 'ES384' : keySpec?.startsWith('RSA_') === true ? 'RS256' : undefined;
  if (candidate === undefined) return undefined;
  return signingAlgorithms.includes(KMS_ALGORITHMS[candidate]!.signingAlgorithm) ? candidate : undefined;
}
