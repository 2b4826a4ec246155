import { type JwsAlgorithm, SignetError } from '@signet/core';
import { ALGORITHMS, type PublicKeyInfo, jwsSignParams, webAlgorithms } from '@signet/internal';

/** What a {@link WebKey} is imported from, when it is first used. */
export type KeyMaterial =
  { kind: 'spki'; der: Uint8Array } | { kind: 'jwk'; jwk: JsonWebKey } | { kind: 'raw'; bytes: Uint8Array } | { kind: 'crypto'; key: CryptoKey } | { kind: 'generated'; make: () => Promise<CryptoKey> };

/**
 * @internal WebCrypto's import and verify parameters for `alg` with a key of `keyType`: core's web signer's, for the
 * curve the algorithm names (keyFits has checked the key's).
 */
export function webAlgorithm(alg: JwsAlgorithm, keyType: string | undefined): { imported: Record<string, unknown>; verify: Record<string, unknown> } {
  const curve = ALGORITHMS[alg].curve;
  const { importAs, signAs } = webAlgorithms(jwsSignParams(alg), { type: 'public', asymmetricKeyType: keyType, asymmetricKeyDetails: curve === undefined ? {} : { namedCurve: curve } });
  return { imported: importAs, verify: signAs };
}

/** The JWK members of a private or symmetric key: a public key is imported without them. */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** @internal A JWK's public members, without the ones that would bind its import to one use (`alg`, `key_ops`). */
export function publicMembers(jwk: Record<string, unknown>): JsonWebKey {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.has(name) && name !== 'alg' && name !== 'key_ops' && name !== 'use' && name !== 'ext') out[name] = value;
  return out;
}

/**
 * A verification key on WebCrypto. Its facts (type, RSA size, curve: the fields of a Node `KeyObject` that
 * `keyMisfit` reads) are known at construction, from the key's DER or JWK; the `CryptoKey` is imported on first
 * use, once per algorithm (WebCrypto binds a key to one algorithm and hash). The material is a private field:
 * `util.inspect` and `JSON.stringify` never show it.
 * @internal
 */
export class WebKey {
  readonly type: 'public' | 'secret';
  readonly asymmetricKeyType: string | undefined;
  readonly asymmetricKeyDetails: PublicKeyInfo['asymmetricKeyDetails'];
  readonly #material: KeyMaterial;
  readonly #imported = new Map<string, Promise<CryptoKey>>();

  constructor(type: 'public' | 'secret', facts: PublicKeyInfo | undefined, material: KeyMaterial) {
    this.type = type;
    this.asymmetricKeyType = facts?.asymmetricKeyType;
    this.asymmetricKeyDetails = facts?.asymmetricKeyDetails ?? {};
    this.#material = material;
  }

  /** The `CryptoKey` for `alg`; a key WebCrypto refuses is `ERR_KEY_INVALID`, as Node refuses it at parse time. */
  forAlgorithm(alg: JwsAlgorithm): Promise<CryptoKey> {
    let key = this.#imported.get(alg);
    if (key === undefined) {
      key = this.#import(webAlgorithm(alg, this.asymmetricKeyType).imported).catch(() => {
        throw new SignetError('ERR_KEY_INVALID', `The verification key cannot be used for ${alg} on this runtime: WebCrypto refused to import it.`);
      });
      this.#imported.set(alg, key);
    }
    return key;
  }

  async #import(params: Record<string, unknown>): Promise<CryptoKey> {
    const { subtle } = globalThis.crypto;
    const material = this.#material;
    switch (material.kind) {
      case 'spki':
        return subtle.importKey('spki', material.der as BufferSource, params as unknown as RsaHashedImportParams, false, ['verify']);
      case 'jwk':
        return subtle.importKey('jwk', material.jwk, params as unknown as RsaHashedImportParams, false, ['verify']);
      case 'raw':
        return subtle.importKey('raw', material.bytes as BufferSource, params as unknown as HmacImportParams, false, ['verify']);
      case 'generated':
        return material.make();
      default:
        return reimported(material.key, params);
    }
  }
}

/** A `CryptoKey` as given when it was imported for this very algorithm; else re-imported, when it is extractable. */
async function reimported(key: CryptoKey, params: Record<string, unknown>): Promise<CryptoKey> {
  const given = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  const wanted = params as { name: string; hash?: string; namedCurve?: string };
  if (given.name === wanted.name && given.hash?.name === wanted.hash && given.namedCurve === wanted.namedCurve && key.usages.includes('verify')) return key;
  const { subtle } = globalThis.crypto;
  if (key.type === 'secret') return subtle.importKey('raw', await subtle.exportKey('raw', key), params as unknown as HmacImportParams, false, ['verify']);
  const jwk = publicMembers((await subtle.exportKey('jwk', key)) as Record<string, unknown>);
  return subtle.importKey('jwk', jwk, params as unknown as RsaHashedImportParams, false, ['verify']);
}
