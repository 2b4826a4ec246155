import { normalizeLowS } from '../ecdsa.js';
import { SignetError } from '../errors.js';
import type { OffloadMode } from '../offload.js';
import type * as Node from './crypto.js';
import { base64urlOf, fromBase64, latin1 } from './bytes.web.js';
import { bitLength, derKind, opensslCurve, privateKeyInfo } from './der.js';
import { sha2 } from './sha2.js';
import type { DigestName, KeyShape, ParseFailure, PrivateKeySource, SignParams } from './types.js';
import { WEB_HASH, webAlgorithms } from './web-algorithms.js';

// The crypto seam of the web build (Workers without nodejs_compat, browsers): WebCrypto only. Keys are parsed and
// checked synchronously here (a small DER reader gives type, size and curve); WebCrypto imports them on the first
// sign(), once per signer. Same functions as crypto.ts, which Node, Bun and Deno keep.

type Material = { readonly pkcs8: Uint8Array } | { readonly jwk: Record<string, unknown> } | { readonly secret: Uint8Array } | { readonly cryptoKey: CryptoKey };

// Key material lives out of the handle's own properties: nothing prints or serializes it.
const MATERIAL = new WeakMap<KeyHandle, Material>();
const PUBLIC_JWK = new WeakMap<KeyHandle, Record<string, string>>();

/** @internal The web build's opaque key: what keyMisfit reads, with the material kept out of sight. */
export class KeyHandle implements KeyShape {
  readonly type: 'secret' | 'public' | 'private';
  readonly asymmetricKeyType: string | undefined;
  readonly asymmetricKeyDetails: { modulusLength?: number; namedCurve?: string } | undefined;
  readonly symmetricKeySize: number | undefined;

  constructor(shape: KeyShape & { symmetricKeySize?: number }, material: Material, publicJwk?: Record<string, string>) {
    this.type = shape.type;
    this.asymmetricKeyType = shape.asymmetricKeyType;
    this.asymmetricKeyDetails = shape.asymmetricKeyDetails as KeyHandle['asymmetricKeyDetails'];
    this.symmetricKeySize = shape.symmetricKeySize;
    MATERIAL.set(this, material);
    if (publicJwk !== undefined) PUBLIC_JWK.set(this, publicJwk);
  }
}

export type PlatformKey = KeyHandle;

export function isPlatformKey(value: unknown): value is PlatformKey {
  return value instanceof KeyHandle;
}

const CONTAINERS: Readonly<Record<string, 'pkcs8' | 'pkcs1' | 'sec1'>> = { 'PRIVATE KEY': 'pkcs8', 'RSA PRIVATE KEY': 'pkcs1', 'EC PRIVATE KEY': 'sec1' };

export function parsePrivateKey(source: PrivateKeySource, _passphrase: string | Uint8Array | undefined, encrypted: boolean): PlatformKey | ParseFailure {
  // WebCrypto has no PBES2/PEM decryption: an encrypted key is refused with its own reason.
  if (encrypted) return 'encrypted';
  const candidates: Array<[Uint8Array, 'pkcs8' | 'pkcs1' | 'sec1']> = [];
  let failure: ParseFailure = 'invalid';
  if ('pem' in source) {
    // The private key block (an `EC PARAMETERS` block may come first, as `openssl ecparam -genkey` writes it).
    for (const [, label, body] of source.pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
      const form = CONTAINERS[label as string];
      if (form === undefined) continue;
      if ((body as string).includes(':')) return 'encrypted';
      candidates.push([fromBase64(body as string), form]);
    }
  } else {
    for (const der of source.ders) {
      const kind = derKind(der);
      if (kind === 'pkcs8' || kind === 'pkcs1' || kind === 'sec1') candidates.push([der, kind]);
      else if (kind !== 'invalid' && failure === 'invalid') failure = kind;
    }
  }
  for (const [der, form] of candidates) {
    const info = privateKeyInfo(der, form);
    if (info === undefined) continue;
    const details = info.modulusLength !== undefined ? { modulusLength: info.modulusLength } : info.namedCurve !== undefined ? { namedCurve: info.namedCurve } : {};
    return new KeyHandle({ type: 'private', asymmetricKeyType: info.asymmetricKeyType, asymmetricKeyDetails: details }, { pkcs8: info.pkcs8 }, info.publicJwk);
  }
  return failure;
}

const JWK_TYPES: Readonly<Record<string, string>> = { RSA: 'rsa', EC: 'ec', 'OKP:Ed25519': 'ed25519', 'OKP:Ed448': 'ed448' };

export function privateKeyFromJwk(jwk: Record<string, unknown>): PlatformKey {
  const kty = String(jwk['kty']);
  const type = JWK_TYPES[kty === 'OKP' ? `OKP:${String(jwk['crv'])}` : kty];
  if (type === undefined || typeof jwk['d'] !== 'string') throw new TypeError('not a private JWK WebCrypto imports');
  const n = typeof jwk['n'] === 'string' ? fromBase64(jwk['n']) : undefined;
  const details = type === 'rsa' ? { modulusLength: n === undefined ? 0 : bitLength(n) } : type === 'ec' ? { namedCurve: opensslCurve(jwk['crv']) ?? 'unknown' } : {};
  const members = (names: string[]): Record<string, string> => Object.fromEntries(names.map((name) => [name, String(jwk[name])]));
  const publicJwk = type === 'rsa' ? members(['kty', 'n', 'e']) : type === 'ec' ? members(['kty', 'crv', 'x', 'y']) : members(['kty', 'crv', 'x']);
  return new KeyHandle({ type: 'private', asymmetricKeyType: type, asymmetricKeyDetails: details }, { jwk: { ...jwk } }, publicJwk);
}

const WEB_TYPES: Readonly<Record<string, string>> = { 'RSASSA-PKCS1-v1_5': 'rsa', 'RSA-PSS': 'rsa', ECDSA: 'ec', Ed25519: 'ed25519', Ed448: 'ed448' };

export function keyFromCryptoKey(key: CryptoKey): PlatformKey {
  const algorithm = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string; length?: number };
  if (key.type === 'secret') return new KeyHandle({ type: 'secret', symmetricKeySize: (algorithm.length ?? 0) / 8 }, { cryptoKey: key });
  const type = WEB_TYPES[algorithm.name] ?? algorithm.name.toLowerCase();
  const details = algorithm.modulusLength !== undefined ? { modulusLength: algorithm.modulusLength } : algorithm.namedCurve !== undefined ? { namedCurve: opensslCurve(algorithm.namedCurve) ?? 'unknown' } : {};
  return new KeyHandle({ type: key.type, asymmetricKeyType: type, asymmetricKeyDetails: details }, { cryptoKey: key });
}

export function secretKey(bytes: Uint8Array): PlatformKey {
  return new KeyHandle({ type: 'secret', symmetricKeySize: bytes.length }, { secret: Uint8Array.from(bytes) });
}

export function secretBytes(key: PlatformKey): Uint8Array | undefined {
  const material = MATERIAL.get(key);
  return material !== undefined && 'secret' in material ? material.secret : undefined;
}

export function publicJwkOf(key: PlatformKey): Record<string, unknown> {
  const jwk = PUBLIC_JWK.get(key);
  // A container without its public half (PKCS#8 Ed25519 as Node writes it, SEC1 without [1], a CryptoKey): deriving
  // it needs the curve arithmetic WebCrypto keeps to itself.
  if (jwk === undefined) throw new TypeError('no public half at hand');
  return jwk;
}

/** A CryptoKey is bound to one algorithm and hash: one made for another cannot sign this one. */
function checkCryptoKey(key: CryptoKey, importAs: Algorithm & Record<string, unknown>): void {
  const algorithm = key.algorithm as { name: string; hash?: { name: string } };
  const wantedHash = importAs['hash'] as string | undefined;
  if (algorithm.name !== importAs['name'] || (wantedHash !== undefined && algorithm.hash?.name !== wantedHash) || !key.usages.includes('sign')) {
    const made = `${algorithm.name}${algorithm.hash === undefined ? '' : `/${algorithm.hash.name}`}`;
    throw new SignetError(
      'ERR_KEY_TYPE',
      `The CryptoKey was made for ${made} (usages: ${key.usages.join(', ') || 'none'}); this signer needs ${importAs.name}${wantedHash === undefined ? '' : `/${wantedHash}`} with usage "sign". Import the key for that algorithm.`,
    );
  }
}

async function importKey(material: Material, importAs: Algorithm): Promise<CryptoKey> {
  if ('cryptoKey' in material) return material.cryptoKey;
  try {
    if ('secret' in material) return await crypto.subtle.importKey('raw', material.secret as Uint8Array<ArrayBuffer>, importAs, false, ['sign']);
    if ('jwk' in material) return await crypto.subtle.importKey('jwk', material.jwk as JsonWebKey, importAs, false, ['sign']);
    return await crypto.subtle.importKey('pkcs8', material.pkcs8 as Uint8Array<ArrayBuffer>, importAs, false, ['sign']);
  } catch (error) {
    // Only the error's name is kept: WebCrypto's message is its own, and nothing of the key reaches ours.
    const name = error instanceof Error ? error.name : 'Error';
    throw new SignetError(
      name === 'NotSupportedError' ? 'ERR_KEY_TYPE' : 'ERR_KEY_INVALID',
      `The key could not be imported into this runtime's WebCrypto (${name}): ${name === 'NotSupportedError' ? 'it does not support this key type' : 'the key is corrupt or not of the type it claims'}.`,
    );
  }
}

export function signer(params: SignParams, key: PlatformKey, _offload: OffloadMode): (data: string) => string | Promise<string> {
  const material = MATERIAL.get(key) as Material;
  const { importAs, signAs } = webAlgorithms(params, key);
  if ('cryptoKey' in material) checkCryptoKey(material.cryptoKey, importAs);
  const lowS = params.ecdsa?.lowSOrder;
  // Imported once, on the first sign(); a key WebCrypto refuses rejects every sign() with the same SignetError.
  let imported: Promise<CryptoKey> | undefined;
  let ready: CryptoKey | undefined;
  // WebCrypto's ECDSA is already r || s, but either half of the curve; JWS verifiers may accept only the low one.
  const encoded = (result: ArrayBuffer): string => {
    const signature = new Uint8Array(result);
    return base64urlOf(lowS === undefined ? signature : normalizeLowS(signature as never, lowS));
  };
  const signWith = (cryptoKey: CryptoKey, data: string): Promise<string> => crypto.subtle.sign(signAs, cryptoKey, latin1(data) as Uint8Array<ArrayBuffer>).then(encoded);
  // Once the key is ready, one promise per signature (WebCrypto's own): HMAC tokens cost little more than it.
  return (data) =>
    ready !== undefined
      ? signWith(ready, data)
      : (imported ??= importKey(material, importAs)).then((cryptoKey) => {
          ready = cryptoKey;
          return signWith(cryptoKey, data);
        });
}

export function digestSync(hash: DigestName, data: string | Uint8Array): Uint8Array {
  return sha2(hash, typeof data === 'string' ? new TextEncoder().encode(data) : data);
}

export async function digest(hash: DigestName, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(WEB_HASH[hash], data as Uint8Array<ArrayBuffer>));
}

export const randomUUID = (): string => crypto.randomUUID();

export const randomBytes = (size: number): Uint8Array => crypto.getRandomValues(new Uint8Array(size));

// Both builds must offer the same functions: a name missing here fails the typecheck.
export const _sameAsNode = {
  isPlatformKey,
  parsePrivateKey,
  privateKeyFromJwk,
  keyFromCryptoKey,
  secretKey,
  secretBytes,
  publicJwkOf,
  signer,
  digestSync,
  digest,
  randomUUID,
  randomBytes,
  KeyHandle,
} satisfies Record<Exclude<keyof typeof Node, 'PlatformKey'>, unknown>;
