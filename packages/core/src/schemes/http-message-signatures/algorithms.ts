import type { JwsAlgorithm } from '../../algorithm-registry.js';
import { SignetError } from '../../errors.js';
import { type KeyMisfit, keyMisfit } from '../../key-fit.js';
import type { OffloadMode } from '../../offload.js';
import { fromBase64 } from '../../platform/bytes.js';
import { type PlatformKey, signer } from '../../platform/crypto.js';
import type { KeyShape, SignParams } from '../../platform/types.js';

/**
 * The algorithms of RFC 9421's registry (§3.3, §6.2.2), in a stable order. JWS algorithms (§3.3.7) are not offered:
 * they carry no `alg` parameter and are `jwtSigner`'s business.
 * @example
 * ```ts
 * import { HTTP_SIGNATURE_ALGORITHMS } from '@signet/core';
 * HTTP_SIGNATURE_ALGORITHMS.includes('ed25519'); // true
 * ```
 */
export const HTTP_SIGNATURE_ALGORITHMS = Object.freeze(['rsa-pss-sha512', 'rsa-v1_5-sha256', 'hmac-sha256', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384', 'ed25519'] as const);

/** One of {@link HTTP_SIGNATURE_ALGORITHMS}. */
export type HttpSignatureAlgorithm = (typeof HTTP_SIGNATURE_ALGORITHMS)[number];

// Each algorithm with the JWS algorithm whose key rules are the same (RS256 = rsa-v1_5-sha256: RSA ≥ 2048 bits;
// ES256/ES384: the curve; EdDSA: an Edwards key) so that one registry decides whether a key fits. rsa-pss-sha512 and
// ed25519 add what their JWS twin does not check: SHA-512 with a 64-byte salt, and Ed25519 rather than Ed448.
/** @internal */
export const HTTP_ALGORITHM_SPECS = {
  'rsa-pss-sha512': { hash: 'sha512', twin: 'RS256', signatureBytes: undefined },
  'rsa-v1_5-sha256': { hash: 'sha256', twin: 'RS256', signatureBytes: undefined },
  'hmac-sha256': { hash: 'sha256', twin: 'HS256', signatureBytes: 32 },
  'ecdsa-p256-sha256': { hash: 'sha256', twin: 'ES256', signatureBytes: 64 },
  'ecdsa-p384-sha384': { hash: 'sha384', twin: 'ES384', signatureBytes: 96 },
  ed25519: { hash: null, twin: 'EdDSA', signatureBytes: 64 },
} as const satisfies Record<HttpSignatureAlgorithm, { hash: string | null; twin: JwsAlgorithm; signatureBytes: number | undefined }>;

/** @internal RFC 9421 §3.3.1: the salt is 64 bytes. */
export const PSS_SALT = 64;

/** @internal Whether `value` names an algorithm of {@link HTTP_SIGNATURE_ALGORITHMS}. */
export function isHttpSignatureAlgorithm(value: unknown): value is HttpSignatureAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HTTP_ALGORITHM_SPECS, value);
}

/** @internal Why `key` cannot `usage` `algorithm`, worded to follow the key's name; `undefined` when it fits. */
export function httpKeyMisfit(key: KeyShape, algorithm: HttpSignatureAlgorithm, usage: 'sign' | 'verify'): KeyMisfit | undefined {
  const spec = HTTP_ALGORITHM_SPECS[algorithm];
  const type = key.asymmetricKeyType;
  if (algorithm === 'rsa-pss-sha512' && type === 'rsa-pss') {
    // An RSA-PSS key may be restricted to parameters; it must allow SHA-512 and a 64-byte salt.
    const { hashAlgorithm, mgf1HashAlgorithm, saltLength, modulusLength = 0 } = key.asymmetricKeyDetails ?? {};
    if (key.type !== (usage === 'sign' ? 'private' : 'public')) return { code: 'ERR_KEY_TYPE', problem: `is a ${key.type} key; ${algorithm} needs a ${usage === 'sign' ? 'private' : 'public'} key` };
    if (modulusLength < 2048) return { code: 'ERR_KEY_TOO_SMALL', problem: `is a ${modulusLength}-bit RSA key; at least 2048 bits are required` };
    if ((hashAlgorithm !== undefined && hashAlgorithm !== 'sha512') || (mgf1HashAlgorithm !== undefined && mgf1HashAlgorithm !== 'sha512') || (saltLength !== undefined && saltLength > PSS_SALT)) {
      return { code: 'ERR_KEY_TYPE', problem: `is an RSA-PSS key restricted to parameters ${algorithm} cannot use (sha512, salt ${PSS_SALT} bytes)` };
    }
    return undefined;
  }
  const misfit = keyMisfit(key, spec.twin, usage);
  if (misfit !== undefined) return { code: misfit.code, problem: misfit.problem.replace(spec.twin, algorithm) };
  if (algorithm === 'ed25519' && type !== 'ed25519') return { code: 'ERR_KEY_TYPE', problem: `is an ${type ?? 'unknown'} key; ed25519 needs an Ed25519 key` };
  return undefined;
}

/** @internal Refuses a key that does not fit, with `what` naming it. */
export function assertHttpKeyFits(key: KeyShape, algorithm: HttpSignatureAlgorithm, usage: 'sign' | 'verify', what: string): void {
  const misfit = httpKeyMisfit(key, algorithm, usage);
  if (misfit !== undefined) throw new SignetError(misfit.code, `${what} ${misfit.problem}.`);
}

const SIGN_PARAMS: Readonly<Record<HttpSignatureAlgorithm, SignParams>> = {
  'rsa-pss-sha512': { family: 'rsa-pss', hash: 'sha512', saltLength: PSS_SALT },
  'rsa-v1_5-sha256': { family: 'rsa', hash: 'sha256' },
  'hmac-sha256': { family: 'hmac', hash: 'sha256' },
  // RFC 9421 ECDSA is r || s as signed: no low-S rule.
  'ecdsa-p256-sha256': { family: 'ec', hash: 'sha256', ecdsa: { bytes: 64 } },
  'ecdsa-p384-sha384': { family: 'ec', hash: 'sha384', ecdsa: { bytes: 96 } },
  ed25519: { family: 'eddsa', hash: null },
};

/**
 * @internal `HTTP_SIGN` (RFC 9421 §3.3) over the signature base's bytes, with a key that was checked beforehand: made
 * once per signer (the web build imports the key on its first signature).
 */
export function baseSigner(algorithm: HttpSignatureAlgorithm, key: PlatformKey, offload: OffloadMode): (base: string) => Promise<Uint8Array> {
  const sign = signer(SIGN_PARAMS[algorithm], key, offload);
  return async (base) => {
    try {
      return fromBase64(await sign(base));
    } catch (error) {
      if (error instanceof SignetError) throw error;
      throw new SignetError('ERR_SIGNING_FAILED', `${algorithm} signing failed in the crypto library.`);
    }
  };
}
