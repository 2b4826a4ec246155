/**
 * The platform seam, web build: the names crypto.ts exports, on WebCrypto and plain JavaScript, for runtimes without
 * `node:crypto` and `node:buffer` (Cloudflare Workers without nodejs_compat, browsers). The esbuild plugin of
 * tsup.config.ts swaps it in; all the verification logic around it is shared with the Node build, and so are core's
 * web helpers it builds on (DER reader, WebCrypto parameters, bytes), reached through @signet/internal.
 * @internal
 */
import { type JwsAlgorithm, SignetError } from '@signet/core';
import { ALGORITHMS, type PublicKeyInfo, bitLength, certificateSpki, fromBase64, latin1Text, loadHmacSecret, opensslCurve, pkcs1ToSpki, secretBytes, spkiInfo } from '@signet/internal';
import { WebKey, publicMembers, webAlgorithm } from './web-key.js';

export type VerifyKey = WebKey;

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*)-----END \1-----/;
const OKP: Record<string, string> = { Ed25519: 'ed25519', Ed448: 'ed448', X25519: 'x25519', X448: 'x448' };

const invalid = (what: string): SignetError => new SignetError('ERR_KEY_INVALID', `${what} could not be parsed as a public key (PEM, certificate, DER SPKI or JWK).`);
const secretGiven = (what: string): SignetError => new SignetError('ERR_KEY_TYPE', `${what} is a secret key; a public key is required.`);
const isCryptoKey = (input: unknown): input is CryptoKey => typeof CryptoKey !== 'undefined' && input instanceof CryptoKey;

/** A Node `KeyObject`, recognized without importing `node:crypto`: the web build may run under Node (tests, SSR). */
interface KeyObjectLike {
  type: 'public' | 'private' | 'secret';
  export(options?: { format: 'jwk' }): unknown;
}
const isKeyObject = (input: unknown): input is KeyObjectLike => Object.prototype.toString.call(input) === '[object KeyObject]' && typeof (input as { export?: unknown }).export === 'function';

/** A public or private `KeyObject` as its JWK (`fromJwk` keeps the public members); one that has none is invalid. */
function keyObjectJwk(key: KeyObjectLike, what: string): Record<string, unknown> {
  try {
    return key.export({ format: 'jwk' }) as Record<string, unknown>;
  } catch {
    throw invalid(what);
  }
}

/** @internal A JWK: a plain object with a `kty`. */
export const isJwk = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && typeof (input as { kty?: unknown }).kty === 'string';

/**
 * Parses a public key's facts now (so a misfit is refused at construction, as on Node) and imports it on first use:
 * PEM (SPKI, PKCS#1, a certificate), DER SPKI bytes, a JWK, a `CryptoKey`, or a `KeyObject` where this build runs
 * under Node. A private key is reduced to its public half where that needs no parsing of it here (a JWK, an
 * extractable `CryptoKey`, a `KeyObject`); a private PEM is `ERR_KEY_INVALID` here.
 */
export function publicKeyFrom(input: unknown, what: string): VerifyKey {
  if (isCryptoKey(input)) return fromCryptoKey(input, what);
  if (isKeyObject(input)) {
    if (input.type === 'secret') throw secretGiven(what);
    return fromJwk(keyObjectJwk(input, what), what);
  }
  if (isJwk(input)) return fromJwk(input, what);
  if ((typeof input !== 'string' && !(input instanceof Uint8Array)) || input.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a non-empty PEM string, DER bytes, a JWK, a KeyObject or a CryptoKey.`);
  }
  const text = typeof input === 'string' ? input : latin1Text(input);
  if (typeof input !== 'string' && !text.includes('-----BEGIN')) return fromSpki(input.slice(), what);
  const [, label, body] = PEM.exec(text) ?? [];
  const der = body === undefined ? undefined : fromBase64(body);
  if (label === 'PUBLIC KEY') return fromSpki(der as Uint8Array, what);
  if (label === 'RSA PUBLIC KEY') return fromSpki(pkcs1ToSpki(der as Uint8Array), what);
  const certified = label === 'CERTIFICATE' ? certificateSpki(der as Uint8Array) : undefined;
  if (certified === undefined) throw invalid(what);
  return fromSpki(certified, what);
}

function fromSpki(der: Uint8Array, what: string): WebKey {
  const facts = spkiInfo(der);
  if (facts === undefined) throw invalid(what);
  return new WebKey('public', facts, { kind: 'spki', der });
}

function fromJwk(jwk: Record<string, unknown>, what: string): WebKey {
  const { kty, crv, n } = jwk;
  if (kty === 'oct') throw secretGiven(what);
  let facts: PublicKeyInfo | undefined;
  const namedCurve = kty === 'EC' ? opensslCurve(crv) : undefined;
  if (kty === 'RSA' && typeof n === 'string') {
    facts = { asymmetricKeyType: 'rsa', asymmetricKeyDetails: { modulusLength: bitLength(fromBase64(n)) } };
  } else if (namedCurve !== undefined) {
    facts = { asymmetricKeyType: 'ec', asymmetricKeyDetails: { namedCurve } };
  } else if (kty === 'OKP' && typeof crv === 'string' && Object.hasOwn(OKP, crv)) {
    facts = { asymmetricKeyType: OKP[crv] as string, asymmetricKeyDetails: {} };
  }
  if (facts === undefined) throw invalid(what);
  return new WebKey('public', facts, { kind: 'jwk', jwk: publicMembers(jwk) });
}

function fromCryptoKey(key: CryptoKey, what: string): WebKey {
  if (key.type === 'secret') throw secretGiven(what);
  if (key.type === 'private' && !key.extractable) {
    throw new SignetError('ERR_KEY_TYPE', `${what} is a non-extractable private CryptoKey, whose public half WebCrypto cannot give: pass the public key.`);
  }
  const algorithm = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
  const rsa = algorithm.name.startsWith('RSA');
  const asymmetricKeyType = rsa ? 'rsa' : algorithm.name === 'ECDSA' || algorithm.name === 'ECDH' ? 'ec' : (OKP[algorithm.name] ?? 'unknown');
  const curve = opensslCurve(algorithm.namedCurve);
  const details = rsa ? { modulusLength: algorithm.modulusLength ?? 0 } : curve === undefined ? {} : { namedCurve: curve };
  return new WebKey('public', { asymmetricKeyType, asymmetricKeyDetails: details }, { kind: 'crypto', key });
}

/**
 * An HMAC secret (string, bytes, an "oct" JWK, an HMAC `CryptoKey`, a secret `KeyObject` under Node), with core's
 * checks (`loadHmacSecret`): never empty, never a PEM key or certificate (key confusion).
 */
export function secretKeyFrom(input: unknown, what: string): VerifyKey {
  if (isKeyObject(input)) {
    if (input.type !== 'secret') throw new SignetError('ERR_KEY_TYPE', `${what} is a ${input.type} key; HMAC needs a shared secret.`);
    input = new Uint8Array(input.export() as Uint8Array);
  }
  const key = loadHmacSecret(input, what);
  const bytes = secretBytes(key);
  // A non-extractable HMAC CryptoKey keeps its bytes to itself: it is used as given (re-imported per hash if it can).
  if (bytes === undefined) return new WebKey('secret', undefined, { kind: 'crypto', key: input as CryptoKey });
  return new WebKey('secret', undefined, { kind: 'raw', bytes });
}

/** Whether `signature` is `alg`'s signature of `data` under `key`; WebCrypto's HMAC verify is constant-time. */
export async function verifySignature(alg: JwsAlgorithm, key: VerifyKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const cryptoKey = await key.forAlgorithm(alg);
  const params = webAlgorithm(alg, key.asymmetricKeyType).verify;
  return globalThis.crypto.subtle.verify(params as unknown as AlgorithmIdentifier, cryptoKey, signature as BufferSource, data as BufferSource);
}

/** A fresh public key of an EC curve (Node's name) or Ed25519, generated on first use. */
export function throwawayPublicKey(family: 'ec' | 'eddsa', curve: string | undefined): VerifyKey {
  const alg = family === 'ec' ? (Object.keys(ALGORITHMS) as JwsAlgorithm[]).find((name) => ALGORITHMS[name].curve === curve) : 'EdDSA';
  const params = webAlgorithm(alg ?? 'EdDSA', 'ed25519').imported;
  const facts = { asymmetricKeyType: family === 'ec' ? 'ec' : 'ed25519', asymmetricKeyDetails: family === 'ec' ? { namedCurve: curve as string } : {} };
  let pair: Promise<CryptoKey> | undefined;
  const make = (): Promise<CryptoKey> => (pair ??= globalThis.crypto.subtle.generateKey(params as unknown as EcKeyGenParams, false, ['sign', 'verify']).then((keys) => keys.publicKey));
  return new WebKey('public', facts, { kind: 'generated', make });
}

/** Equality of two byte strings in time that depends on their length only. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
