import type { JwsAlgorithm } from './algorithm-registry.js';
import { inProcessKeyOf } from './in-process-key.js';
import { jwsSignParams } from './jws-signing.js';
import { SignetError } from './errors.js';
import type { OffloadMode } from './offload.js';
import { base64urlOf, latin1, utf8 } from './platform/bytes.js';
import { type PlatformKey, signer } from './platform/crypto.js';
import { DEFAULT_REMOTE_LIMITS, type RemoteLimits, isSigningKey, remoteSigner } from './remote-key.js';
import type { SigningKey } from './signing-key.js';

/** @internal base64url without padding (RFC 7515 §2). */
export function base64url(input: string | Uint8Array): string {
  return base64urlOf(typeof input === 'string' ? utf8(input) : input);
}

/**
 * Mints compact JWS tokens for one protected header and one key that were checked beforehand. A fixed header is
 * encoded once. The platform's signer signs (see platform/crypto.ts: on Node HMAC inline and asymmetric signatures
 * through the thread-pool policy of {@link OffloadMode}; in the web build WebCrypto, the key imported on the first
 * call). This is the one signing path of every algorithm family. A {@link SigningKey} (a key held outside the
 * process) signs through `remoteSigner`, within `limits`, and may be cancelled with `signal`.
 * @internal
 */
export function jwsMinter(
  algorithm: JwsAlgorithm,
  key: PlatformKey | SigningKey,
  header: object | (() => object) = { alg: algorithm, typ: 'JWT' },
  offload: OffloadMode = 'auto',
  limits: RemoteLimits = DEFAULT_REMOTE_LIMITS,
): (claims: object | string, signal?: AbortSignal) => Promise<string> {
  // A header that differs per token (Coinbase's header nonce) is a function, encoded at every call.
  const fixedHeader = typeof header === 'function' ? undefined : base64url(JSON.stringify(header));
  const encodedHeader = (): string => fixedHeader ?? base64url(JSON.stringify((header as () => object)()));
  // Bytes are a payload as they are (TrueLayer's detached `Tl-Signature` payload), a string is claims already in
  // JSON (a signer that serializes its static claims once), anything else is claims to serialize.
  const signingInputOf = (claims: object | string): string => `${encodedHeader()}.${base64url(typeof claims === 'string' || claims instanceof Uint8Array ? claims : JSON.stringify(claims))}`;

  // A key made by inProcessKey() signs as its raw key does: no remote limits, its own offload policy.
  const local = isSigningKey(key) ? inProcessKeyOf(key) : undefined;
  if (local !== undefined) ({ key, offload } = local);
  if (isSigningKey(key)) {
    const sign = remoteSigner(key, limits);
    return async (claims, signal) => {
      const signingInput = signingInputOf(claims);
      return `${signingInput}.${base64urlOf(await sign(latin1(signingInput), signal))}`;
    };
  }

  const sign = signer(jwsSignParams(algorithm), key, offload);
  // A key the web build's WebCrypto refused to import says so with its own code; anything else is the library's.
  const failure = (error: unknown): SignetError => (error instanceof SignetError ? error : new SignetError('ERR_SIGNING_FAILED', `${algorithm} signing failed in the crypto library.`));
  return (claims) => {
    const signingInput = signingInputOf(claims);
    let signature: string | Promise<string>;
    try {
      signature = sign(signingInput);
    } catch (error) {
      return Promise.reject(failure(error));
    }
    // Node's HMAC is synchronous: no promise hop for it (it costs more than the HMAC of a token).
    if (typeof signature === 'string') return Promise.resolve(`${signingInput}.${signature}`);
    return signature.then(
      (encoded) => `${signingInput}.${encoded}`,
      (error: unknown) => {
        throw failure(error);
      },
    );
  };
}
