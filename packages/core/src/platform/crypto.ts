import { Buffer } from 'node:buffer';
import {
  KeyObject,
  type SignKeyObjectInput,
  X509Certificate,
  constants,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  randomBytes as nodeRandomBytes,
  randomUUID as nodeRandomUUID,
} from 'node:crypto';
import { derToP1363, normalizeLowS } from '../ecdsa.js';
import { type OffloadMode, signData } from '../offload.js';
import type { DigestName, ParseFailure, PrivateKeySource, SignParams } from './types.js';

// The crypto seam of the Node build (Node, Bun, Deno): node:crypto, synchronous key parsing, signing on libuv's pool
// when signatures overlap. crypto.web.ts offers the same functions on WebCrypto; shared code imports only this file.

/** @internal The key handle shared code holds: a KeyObject here, an opaque WebCrypto-backed handle in the web build. */
export type PlatformKey = KeyObject;
/** @internal The class of {@link PlatformKey}, for `instanceof`. */
export { KeyObject as KeyHandle };

/** @internal */
export function isPlatformKey(value: unknown): value is PlatformKey {
  return value instanceof KeyObject;
}

/** @internal Parses a private key at once; the failure says why not. */
export function parsePrivateKey(source: PrivateKeySource, passphrase: string | Uint8Array | undefined, encrypted: boolean): PlatformKey | ParseFailure {
  const secret = passphrase === undefined ? {} : { passphrase: typeof passphrase === 'string' ? passphrase : Buffer.from(passphrase) };
  const attempts: Array<Parameters<typeof createPrivateKey>[0]> =
    'pem' in source
      ? [{ key: source.pem, format: 'pem', ...secret }]
      : source.ders.flatMap((bytes) => {
          const der = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          return [{ key: der, format: 'der', type: 'pkcs8', ...secret } as const, { key: der, format: 'der', type: 'pkcs1' } as const, { key: der, format: 'der', type: 'sec1' } as const];
        });
  let locked = encrypted;
  for (const attempt of attempts) {
    try {
      return createPrivateKey(attempt);
    } catch (error) {
      // Only Node's error code is read: our message is our own, so nothing of the input can leak through it.
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_MISSING_PASSPHRASE' || code === 'ERR_OSSL_BAD_DECRYPT' || code === 'ERR_OSSL_EVP_BAD_DECRYPT') locked = true;
    }
  }
  if (locked) return 'locked';
  if ('ders' in source && source.ders.some(isPublicDer)) return 'public';
  return 'invalid';
}

function isPublicDer(bytes: Uint8Array): boolean {
  const der = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      createPublicKey({ key: der, format: 'der', type });
      return true;
    } catch {
      // not this form
    }
  }
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

/** @internal A private JWK as a key; throws (any error) when Node refuses it. */
export function privateKeyFromJwk(jwk: Record<string, unknown>): PlatformKey {
  return createPrivateKey({ key: jwk as { kty: string }, format: 'jwk' });
}

/** @internal A WebCrypto key as a key of this build, at once (the Node build makes it a KeyObject). */
export function keyFromCryptoKey(key: CryptoKey): PlatformKey {
  return KeyObject.from(key);
}

/** @internal An HMAC secret as a key. */
export function secretKey(bytes: Uint8Array): PlatformKey {
  return createSecretKey(bytes);
}

/** @internal The bytes of a secret key, when this build can read them synchronously. */
export function secretBytes(key: PlatformKey): Uint8Array | undefined {
  return key.export();
}

/** @internal The public half of an asymmetric key as a JWK (all members Node writes); throws when it cannot. */
export function publicJwkOf(key: PlatformKey): Record<string, unknown> {
  return createPublicKey(key).export({ format: 'jwk' });
}

/**
 * @internal The one signing function of a signer, made once at construction, giving the signature as base64url (what
 * JWS sends; Node encodes it natively, ~1 µs less per HMAC token than bytes then text): HMAC inline and synchronous, asymmetric signatures
 * through `signData` (the thread-pool policy). `data` is the Latin-1 signing input. JWS ECDSA is signed in DER, which
 * every runtime's node:crypto gives (workerd's nodejs_compat refuses the dsaEncoding option), then brought to
 * `r || s` and its low-S half; RFC 9421 ECDSA asks for `r || s` directly.
 */
export function signer(params: SignParams, key: PlatformKey, offload: OffloadMode): (data: string) => string | Promise<string> {
  if (params.family === 'hmac') {
    const hash = params.hash as DigestName;
    return (data) => createHmac(hash, key).update(data, 'latin1').digest('base64url');
  }
  const { ecdsa } = params;
  const lowS = ecdsa?.lowSOrder;
  const signKey: KeyObject | SignKeyObjectInput =
    params.family === 'rsa-pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength as number } : ecdsa !== undefined && lowS === undefined ? { key, dsaEncoding: 'ieee-p1363' } : key;
  return async (data) => {
    const signature = await signData(params.hash, Buffer.from(data, 'latin1'), signKey, offload);
    return (lowS === undefined ? signature : normalizeLowS(derToP1363(signature, (ecdsa as { bytes: number }).bytes), lowS)).toString('base64url');
  };
}

/** @internal A digest, synchronously (small inputs: thumbprints, token hashes, query strings). */
export function digestSync(hash: DigestName, data: string | Uint8Array): Uint8Array {
  return createHash(hash).update(data).digest();
}

/** @internal A digest of body bytes: synchronous here, a promise where only WebCrypto's `digest` is fast. */
export function digest(hash: DigestName, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
  return createHash(hash).update(data).digest();
}

/** @internal */
export const randomUUID = (): string => nodeRandomUUID();

/** @internal */
export const randomBytes = (size: number): Uint8Array => nodeRandomBytes(size);
