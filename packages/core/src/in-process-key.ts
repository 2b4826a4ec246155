import { type JwsAlgorithm, algorithmSpec } from './algorithm-registry.js';
import { jwsSignParams } from './jws-signing.js';
import { type PrivateKeyInput, loadHmacSecret, loadPrivateSigningKey } from './keys.js';
import { type OffloadMode, checkOffload } from './offload.js';
import { optionNames, readOptions } from './options.js';
import { fromBase64, latin1Text } from './platform/bytes.js';
import { type PlatformKey, signer } from './platform/crypto.js';
import type { SigningKey } from './signing-key.js';

/** Options of {@link inProcessKey}. */
export interface InProcessKeyOptions {
  /** The JWS algorithm the key signs with. */
  algorithm: JwsAlgorithm;
  /**
   * HS*: the shared secret (string, bytes, secret KeyObject, HMAC CryptoKey or `oct` JWK), at least as long as the
   * hash unless `allowShortSecret`. Others: the private key (PEM, DER, KeyObject, CryptoKey or JWK) of the
   * algorithm's type, with the same checks as `jwtSigner`'s `key`. Parsed once, here.
   */
  key: PrivateKeyInput | Uint8Array;
  /** Passphrase of an encrypted PEM private key. @default undefined */
  passphrase?: string | Uint8Array;
  /** Accept an HMAC secret shorter than the hash (RFC 7518 §3.2). @default false */
  allowShortSecret?: boolean;
  /** Where asymmetric signatures run (see `requestSigner`'s `offload`). @default 'auto' */
  offload?: OffloadMode;
}

const IN_PROCESS_KEY_OPTIONS = optionNames<InProcessKeyOptions>({ algorithm: true, key: true, passphrase: true, allowShortSecret: true, offload: true });

/** What the signers use of an in-process key: its parsed key and its offload policy, with no remote limits. */
const inProcess = new WeakMap<SigningKey, { key: PlatformKey; offload: OffloadMode }>();

/**
 * A key held in this process as a {@link SigningKey}: the same interface as an HSM or KMS key, so that code written
 * against `SigningKey` (a key registry, a test double, one key shared by several signers) takes either. The key is
 * parsed and checked once, here. Signers given it sign exactly as with the raw key (same bytes, same offload policy,
 * no concurrency gate or deadline, which exist for backends that can be slow or down); `sign()` called directly
 * returns the raw JWS signature bytes (ECDSA as low-S `r || s`).
 *
 * @example
 * ```ts
 * const key = inProcessKey({ algorithm: 'ES256', key: process.env.SIGNING_KEY_PEM! });
 * const api = jwtSigner({ algorithm: 'ES256', key, claims: { sub: 'svc-billing' } });
 * const dpop = dpopSigner({ algorithm: 'ES256', privateKey: process.env.SIGNING_KEY_PEM! });
 * ```
 */
export function inProcessKey(options: InProcessKeyOptions): SigningKey {
  const own = readOptions<InProcessKeyOptions>(options, 'inProcessKey', IN_PROCESS_KEY_OPTIONS, 'algorithm and key');
  const spec = algorithmSpec(own.algorithm);
  const algorithm = own.algorithm as JwsAlgorithm;
  const { offload = 'auto', allowShortSecret = false } = own;
  checkOffload(offload);
  const key = spec.family === 'hmac' ? loadHmacSecret(own.key, 'key', allowShortSecret === true ? undefined : spec.minSecretBytes) : loadPrivateSigningKey(algorithm, own.key, own.passphrase);
  const sign = signer(jwsSignParams(algorithm), key, offload);
  const signingKey: SigningKey = Object.freeze({
    algorithm,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      return fromBase64(await sign(latin1Text(data)));
    },
  });
  inProcess.set(signingKey, { key, offload });
  return signingKey;
}

/** @internal The parsed key and policy of a key made by {@link inProcessKey}; undefined for any other SigningKey. */
export function inProcessKeyOf(key: SigningKey): { key: PlatformKey; offload: OffloadMode } | undefined {
  return inProcess.get(key);
}
