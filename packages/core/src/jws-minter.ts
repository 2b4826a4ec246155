import { Buffer } from 'node:buffer';
import { type KeyObject, type SignKeyObjectInput, constants, createHmac } from 'node:crypto';
import { ALGORITHMS, type JwsAlgorithm } from './algorithm-registry.js';
import { derToP1363, normalizeLowS } from './ecdsa.js';
import { SignetError } from './errors.js';
import { type OffloadMode, signData } from './offload.js';
import { DEFAULT_REMOTE_LIMITS, type RemoteLimits, isSigningKey, remoteSigner } from './remote-key.js';
import type { SigningKey } from './signing-key.js';

/** @internal base64url without padding (RFC 7515 §2). */
export function base64url(input: string | Uint8Array): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength)).toString('base64url');
}

/**
 * Mints compact JWS tokens for one protected header and one key that were checked beforehand. A fixed header is
 * encoded once. HMAC is computed inline (it costs less than a thread hop); asymmetric signatures go through
 * `signData`, which puts them on libuv's thread pool whenever signatures overlap (see {@link OffloadMode}). This
 * is the one signing path of every algorithm family: sync and async share every input. A {@link SigningKey} (a key
 * held outside the process) signs through `remoteSigner`, within `limits`, and may be cancelled with `signal`.
 * @internal
 */
export function jwsMinter(
  algorithm: JwsAlgorithm,
  key: KeyObject | SigningKey,
  header: object | (() => object) = { alg: algorithm, typ: 'JWT' },
  offload: OffloadMode = 'auto',
  limits: RemoteLimits = DEFAULT_REMOTE_LIMITS,
): (claims: object, signal?: AbortSignal) => Promise<string> {
  const spec = ALGORITHMS[algorithm];
  // A header that differs per token (Coinbase's header nonce) is a function, encoded at every call.
  const fixedHeader = typeof header === 'function' ? undefined : base64url(JSON.stringify(header));
  const encodedHeader = (): string => fixedHeader ?? base64url(JSON.stringify((header as () => object)()));
  // Bytes are a payload as they are (TrueLayer's detached `Tl-Signature` payload); anything else is JSON claims.
  const signingInputOf = (claims: object): string => `${encodedHeader()}.${base64url(claims instanceof Uint8Array ? claims : JSON.stringify(claims))}`;

  if (isSigningKey(key)) {
    const sign = remoteSigner(key, limits);
    return async (claims, signal) => {
      const signingInput = signingInputOf(claims);
      return `${signingInput}.${(await sign(Buffer.from(signingInput, 'latin1'), signal)).toString('base64url')}`;
    };
  }

  if (spec.family === 'hmac') {
    const hash = spec.hash as string;
    return (claims) => {
      const signingInput = signingInputOf(claims);
      return Promise.resolve(`${signingInput}.${createHmac(hash, key).update(signingInput, 'latin1').digest('base64url')}`);
    };
  }

  const signKey: KeyObject | SignKeyObjectInput = spec.family === 'rsa-pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.pssSaltLength as number } : key;
  return async (claims) => {
    const signingInput = signingInputOf(claims);
    let signature: Buffer;
    try {
      signature = await signData(spec.hash, Buffer.from(signingInput, 'latin1'), signKey, offload);
      // ECDSA is signed in its default DER form, which every runtime's node:crypto gives (workerd refuses the
      // dsaEncoding option), and brought to JWS's r || s; verifiers that refuse malleable ECDSA (Signet's among
      // them) accept only the low-S half.
      if (spec.curveOrder !== undefined) signature = normalizeLowS(derToP1363(signature, spec.signatureBytes as number), spec.curveOrder);
    } catch {
      throw new SignetError('ERR_SIGNING_FAILED', `${algorithm} signing failed in the crypto library.`);
    }
    return `${signingInput}.${signature.toString('base64url')}`;
  };
}
