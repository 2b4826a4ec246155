import type { JwsAlgorithm } from './algorithm-registry.js';

/**
 * A key that signs without ever entering this process: an HSM over PKCS#11, a cloud KMS, a vault's transit engine,
 * or any async signer. Signet hands it the JWS signing input and expects the raw signature back.
 *
 * `sign` returns the signature bytes in any of the forms a backend produces: RSA signatures as they are; ECDSA as
 * IEEE P1363 `r || s` or as DER (Signet converts DER and normalizes to low-S, the form JWS and its verifiers use).
 * It rejects, or honours `signal`, on failure or cancellation; Signet then refuses the request
 * (`ERR_SIGNING_FAILED`) and never sends it unsigned.
 *
 * @example
 * ```ts
 * const key: SigningKey = {
 *   algorithm: 'ES256',
 *   async sign(data) {
 *     const digest = createHash('sha256').update(data).digest();
 *     return (await kms.asymmetricSign({ name: keyVersion, digest: { sha256: digest } }))[0].signature as Uint8Array;
 *   },
 * };
 * const signer = jwtSigner({ algorithm: 'ES256', key });
 * ```
 */
export interface SigningKey {
  /** The JWS algorithm this key signs with, e.g. `'RS256'`, `'PS256'`, `'ES256'`. */
  readonly algorithm: JwsAlgorithm;
  /** Signs the JWS signing input (`base64url(header).base64url(payload)` as bytes). */
  sign(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}
