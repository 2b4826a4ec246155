import type { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { ALGORITHMS, type JwsAlgorithm } from './algorithm-registry.js';
import { SignetError } from './errors.js';
import { keyMisfit } from './key-fit.js';
import { fromBase64, latin1Text, utf8 } from './platform/bytes.js';
import { type PlatformKey, isPlatformKey, keyFromCryptoKey, parsePrivateKey, privateKeyFromJwk, secretBytes, secretKey } from './platform/crypto.js';

/**
 * A private key as users hold it: PEM text (PKCS#8, PKCS#1 or SEC1, optionally encrypted; also on one line with
 * literal `\n`, or indented), DER bytes, the base64 of DER bytes, a `KeyObject`, a WebCrypto `CryptoKey` (private,
 * made for the signer's algorithm) or a private JWK. The Node build (Node, Bun, Deno) parses every form at once; the
 * web build (workerd, browsers) parses PEM and DER at once and has WebCrypto import the key on the first `sign()`.
 * PKCS#1 and SEC1 PEMs are rewrapped into PKCS#8 there; encrypted PEMs are refused (no node:crypto to decrypt them).
 */
export type PrivateKeyInput = string | Buffer | KeyObject | CryptoKey | JsonWebKey;

const NOT_PRIVATE_LABELS = /^(PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE|X509 CERTIFICATE|TRUSTED CERTIFICATE|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST)$/;

/**
 * Parses an RSA private key once and checks it can sign RS256 safely. Every error is a `SignetError` whose message
 * describes the key's kind, never its content.
 * @internal
 */
export function loadRsaPrivateKey(input: unknown, passphrase: unknown): PlatformKey {
  return loadPrivateSigningKey('RS256', input, passphrase);
}

/**
 * Parses a private key once for an asymmetric algorithm and checks that it fits (see `keyMisfit`): the key type of
 * the algorithm's family, RSA of at least 2048 bits, RSA-PSS restrictions PS256 can use, the curve ES256/ES384 name.
 * @internal
 */
export function loadPrivateSigningKey(algorithm: JwsAlgorithm, input: unknown, passphrase: unknown): PlatformKey {
  if (ALGORITHMS[algorithm].family === 'hmac') throw new SignetError('ERR_INVALID_OPTION', `${algorithm} takes a shared secret, not a private key.`);
  const key = toPrivateKeyObject(input, passphrase);
  const misfit = keyMisfit(key, algorithm, 'sign');
  if (misfit !== undefined) throw new SignetError(misfit.code, `privateKey ${misfit.problem}.`);
  return key;
}

/**
 * Parses a private key once, of any type, with the same refusals and messages as `loadPrivateSigningKey`; the
 * caller checks that it fits its algorithm (RFC 9421's algorithms are not JWS algorithms).
 * @internal
 */
export function loadPrivateKey(input: unknown, passphrase: unknown): PlatformKey {
  return toPrivateKeyObject(input, passphrase);
}

// A PEM block in what should be a shared secret: an RSA/EC key used as an HMAC secret is the classic
// algorithm-confusion attack (a verifier fed a public key as the HMAC secret accepts forged tokens).
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;

/**
 * Turns an HMAC secret into a secret key, once. Refuses empty secrets, PEM keys, asymmetric keys and, when `minBytes`
 * is given, secrets shorter than the hash (RFC 7518 §3.2). Takes a string, bytes, a secret `KeyObject`, an HMAC
 * `CryptoKey` or an `oct` JWK.
 * @internal
 */
export function loadHmacSecret(input: unknown, what: string, minBytes?: number): PlatformKey {
  const given = isCryptoKey(input) ? 'CryptoKey' : 'KeyObject';
  if (isCryptoKey(input)) input = keyFromCryptoKey(input);
  let bytes: Uint8Array | undefined;
  let size = 0;
  let key: PlatformKey | undefined;
  if (isPlatformKey(input)) {
    if (input.type !== 'secret') throw new SignetError('ERR_KEY_TYPE', `${what} is a ${input.type} ${given}; HMAC needs a shared secret.`);
    bytes = secretBytes(input);
    // A non-extractable HMAC CryptoKey in the web build: its size is known, its bytes are not (nor can they be PEM).
    key = bytes === undefined ? input : undefined;
    size = input.symmetricKeySize ?? 0;
  } else if (typeof input === 'string') {
    bytes = utf8(input);
  } else if (input instanceof Uint8Array) {
    bytes = Uint8Array.from(input);
  } else if (isJwk(input)) {
    if (input['kty'] !== 'oct' || typeof input['k'] !== 'string') throw new SignetError('ERR_KEY_TYPE', `${what} is a JWK of kty "${String(input['kty']).slice(0, 8)}"; HMAC needs a shared secret (kty "oct").`);
    bytes = fromBase64(input['k']);
  } else {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a string, a Buffer, a secret KeyObject, an HMAC CryptoKey or an "oct" JWK.`);
  }
  if (bytes !== undefined) size = bytes.length;
  if (size === 0) throw new SignetError('ERR_INVALID_OPTION', `${what} is empty.`);
  if (bytes !== undefined && PEM_BLOCK.test(latin1Text(bytes))) {
    throw new SignetError('ERR_KEY_TYPE', `${what} is a PEM key or certificate; HMAC needs the shared secret (key confusion).`);
  }
  if (minBytes !== undefined && size < minBytes) {
    throw new SignetError('ERR_KEY_TOO_SMALL', `${what} is shorter than ${minBytes} bytes, the minimum for this HMAC (RFC 7518 §3.2); pass allowShortSecret: true if your API issued it.`);
  }
  return key ?? secretKey(bytes as Uint8Array);
}

function toPrivateKeyObject(input: unknown, passphrase: unknown): PlatformKey {
  if (passphrase !== undefined && typeof passphrase !== 'string' && !(passphrase instanceof Uint8Array)) {
    throw new SignetError('ERR_INVALID_OPTION', 'passphrase must be a string or a Buffer.');
  }
  const given = isCryptoKey(input) ? 'CryptoKey' : 'KeyObject';
  if (isCryptoKey(input)) input = keyFromCryptoKey(input);
  if (isJwk(input)) return privateJwk(input);
  if (isPlatformKey(input)) {
    if (input.type === 'private') return input;
    throw new SignetError(input.type === 'public' ? 'ERR_KEY_NOT_PRIVATE' : 'ERR_KEY_TYPE', `privateKey is a ${input.type} ${given}; a private key is required.`);
  }
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new SignetError('ERR_INVALID_OPTION', 'privateKey must be a PEM string, a Buffer (PEM or DER), a KeyObject, a CryptoKey or a private JWK.');
  }
  if (input.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'privateKey is empty.');
  }

  const text = pemText(typeof input === 'string' ? input : latin1Text(input));
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (label !== undefined && NOT_PRIVATE_LABELS.test(label)) {
    throw new SignetError('ERR_KEY_NOT_PRIVATE', `privateKey is a PEM "${label}"; a private key is required.`);
  }
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && passphrase === undefined) {
    throw new SignetError('ERR_KEY_PASSPHRASE', 'privateKey is encrypted; pass its passphrase.');
  }

  // Without a PEM label: DER bytes, or the base64 of DER as a one-line variable holds it.
  const source = label !== undefined ? { pem: text } : { ders: [typeof input === 'string' ? utf8(input) : input, ...bareBase64Der(input)] };
  const parsed = parsePrivateKey(source, passphrase, encrypted);
  if (isPlatformKey(parsed)) return parsed;
  if (parsed === 'locked') {
    throw new SignetError('ERR_KEY_PASSPHRASE', passphrase === undefined ? 'privateKey is encrypted; pass its passphrase.' : 'privateKey could not be decrypted: the passphrase is wrong.');
  }
  if (parsed === 'encrypted') {
    // The web build (no node:crypto) has no PEM decryption.
    throw new SignetError(
      'ERR_KEY_PASSPHRASE',
      'privateKey is encrypted, and this runtime has no node:crypto to decrypt it: decrypt it once (openssl pkcs8 -topk8 -nocrypt -in key.pem) and keep it in your secret store, or pass a CryptoKey.',
    );
  }
  if (parsed === 'public') {
    throw new SignetError('ERR_KEY_NOT_PRIVATE', 'privateKey is a DER public key or certificate; a private key is required.');
  }
  if (typeof input === 'string' && looksLikePath(input)) {
    // The path itself stays out of the message, as everything the caller passed as a key does.
    throw new SignetError('ERR_KEY_INVALID', "privateKey looks like a file path, not a key: pass the file's contents (fs.readFileSync(path)).");
  }
  throw new SignetError('ERR_KEY_INVALID', 'privateKey could not be parsed: expected a PEM (PKCS#8, PKCS#1 or SEC1) or DER private key, or the base64 of a DER key.');
}

/** A private JWK (RFC 7517) as a key; a public one, or one the runtime refuses, is a typed error. */
function privateJwk(jwk: Record<string, unknown>): PlatformKey {
  if (jwk['kty'] === 'oct') throw new SignetError('ERR_KEY_TYPE', 'privateKey is a JWK of kty "oct", a shared secret; a private key is required.');
  if (typeof jwk['d'] !== 'string') throw new SignetError('ERR_KEY_NOT_PRIVATE', 'privateKey is a public JWK (it has no "d"); a private key is required.');
  try {
    return privateKeyFromJwk(jwk);
  } catch {
    throw new SignetError('ERR_KEY_INVALID', `privateKey is a JWK of kty "${String(jwk['kty']).slice(0, 8)}" that could not be read: expected a private RSA, EC (P-256/384/521) or OKP (Ed25519) JWK.`);
  }
}

/** @internal Whether `value` is a WebCrypto `CryptoKey` (every runtime has the class; Node 20 too). */
export function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey === 'function' && value instanceof CryptoKey;
}

/** @internal A JWK: a plain object with a string `kty` of its own. */
export function isJwk(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { kty?: unknown }).kty === 'string' && Object.hasOwn(value, 'kty');
}

/**
 * A PEM as people hold it, made whole: squeezed into one line of a .env file with its line breaks written as the
 * two characters `\n`, or indented (a YAML block, a template literal) with spaces before each line. Text without
 * a PEM label is returned as it is.
 */
function pemText(text: string): string {
  if (!text.includes('-----BEGIN')) return text;
  const lines = !text.includes('\n') && text.includes('\\n') ? text.replaceAll('\\r\\n', '\n').replaceAll('\\n', '\n') : text;
  return lines
    .split(/\r?\n/)
    .map((line) => line.trim())
    .join('\n');
}

/** The bytes of `input` read as base64 (whitespace ignored), when it is nothing else than base64 text. */
function bareBase64Der(input: string | Uint8Array): Uint8Array[] {
  const compact = (typeof input === 'string' ? input : latin1Text(input)).replace(/\s+/g, '');
  if (compact.length < 64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return [];
  return [fromBase64(compact)];
}

// A path, not a key: one short line that starts like a path or ends like a key file's name.
function looksLikePath(input: string): boolean {
  const value = input.trim();
  return value.length < 1024 && !/[\r\n]/.test(value) && (/^(~|\.{1,2})?[\\/]/.test(value) || /^[A-Za-z]:[\\/]/.test(value) || /\.(pem|key|der|p8|pk8|txt)$/i.test(value));
}
