import type { KeyFamily } from '../algorithm-registry.js';

/** @internal A digest both builds compute (Node's name for it). */
export type DigestName = 'sha256' | 'sha384' | 'sha512';

/**
 * @internal How one signer signs, whatever the build: the key family, the digest (`null` for EdDSA), the RSA-PSS salt,
 * and for ECDSA the `r || s` length and, for JWS, the curve order to bring the signature to its low-S half.
 */
export interface SignParams {
  readonly family: KeyFamily;
  readonly hash: DigestName | null;
  readonly saltLength?: number | undefined;
  readonly ecdsa?: { readonly bytes: number; readonly lowSOrder?: bigint | undefined } | undefined;
}

/** @internal A private key to parse: a PEM text, or candidate DER byte strings (raw, or decoded from bare base64). */
export type PrivateKeySource = { readonly pem: string } | { readonly ders: readonly Uint8Array[] };

/** @internal Why a private key could not be parsed (keys.ts words the error). */
export type ParseFailure = 'locked' | 'public' | 'encrypted' | 'invalid';

/** @internal The introspection keyMisfit reads: a node:crypto KeyObject has it, and so has the web build's handle. */
export interface KeyShape {
  readonly type: 'secret' | 'public' | 'private';
  readonly asymmetricKeyType?: string | undefined;
  readonly asymmetricKeyDetails?:
    | {
        readonly modulusLength?: number | undefined;
        readonly namedCurve?: string | undefined;
        readonly hashAlgorithm?: string | undefined;
        readonly mgf1HashAlgorithm?: string | undefined;
        readonly saltLength?: number | undefined;
      }
    | undefined;
}
