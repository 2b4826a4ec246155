import { Buffer } from 'node:buffer';
import { KeyObject, X509Certificate, createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import { ALGORITHMS, type JwsAlgorithm } from './algorithm-registry.js';
import { SignetError } from './errors.js';
import { keyMisfit } from './key-fit.js';

/**
 * A private key as users hold it: PEM text (PKCS#8, PKCS#1 or SEC1, optionally encrypted; also on one line with
 * literal `\n`, or indented), DER bytes, the base64 of DER bytes, or a `KeyObject`.
 */
export type PrivateKeyInput = string | Buffer | KeyObject;

const NOT_PRIVATE_LABELS = /^(PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE|X509 CERTIFICATE|TRUSTED CERTIFICATE|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST)$/;

/**
 * Parses an RSA private key once and checks it can sign RS256 safely. Every error is a `SignetError` whose message
 * describes the key's kind, never its content.
 * @internal
 */
export function loadRsaPrivateKey(input: unknown, passphrase: unknown): KeyObject {
  return loadPrivateSigningKey('RS256', input, passphrase);
}

/**
 * Parses a private key once for an asymmetric algorithm and checks that it fits (see `keyMisfit`): the key type of
 * the algorithm's family, RSA of at least 2048 bits, RSA-PSS restrictions PS256 can use, the curve ES256/ES384 name.
 * @internal
 */
export function loadPrivateSigningKey(algorithm: JwsAlgorithm, input: unknown, passphrase: unknown): KeyObject {
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
export function loadPrivateKey(input: unknown, passphrase: unknown): KeyObject {
  return toPrivateKeyObject(input, passphrase);
}

// A PEM block in what should be a shared secret: an RSA/EC key used as an HMAC secret is the classic
// algorithm-confusion attack (a verifier fed a public key as the HMAC secret accepts forged tokens).
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;

/**
 * Turns an HMAC secret into a secret `KeyObject`, once. Refuses empty secrets, PEM keys, asymmetric KeyObjects and,
 * when `minBytes` is given, secrets shorter than the hash (RFC 7518 §3.2).
 * @internal
 */
export function loadHmacSecret(input: unknown, what: string, minBytes?: number): KeyObject {
  let bytes: Buffer;
  if (input instanceof KeyObject) {
    if (input.type !== 'secret') throw new SignetError('ERR_KEY_TYPE', `${what} is a ${input.type} key; HMAC needs a shared secret.`);
    bytes = input.export();
  } else if (typeof input === 'string') {
    bytes = Buffer.from(input, 'utf8');
  } else if (input instanceof Uint8Array) {
    bytes = Buffer.from(input);
  } else {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a string, a Buffer or a secret KeyObject.`);
  }
  if (bytes.length === 0) throw new SignetError('ERR_INVALID_OPTION', `${what} is empty.`);
  if (PEM_BLOCK.test(bytes.toString('latin1'))) {
    throw new SignetError('ERR_KEY_TYPE', `${what} is a PEM key or certificate; HMAC needs the shared secret (key confusion).`);
  }
  if (minBytes !== undefined && bytes.length < minBytes) {
    throw new SignetError('ERR_KEY_TOO_SMALL', `${what} is shorter than ${minBytes} bytes, the minimum for this HMAC (RFC 7518 §3.2); pass allowShortSecret: true if your API issued it.`);
  }
  return createSecretKey(bytes);
}

function toPrivateKeyObject(input: unknown, passphrase: unknown): KeyObject {
  if (passphrase !== undefined && typeof passphrase !== 'string' && !Buffer.isBuffer(passphrase)) {
    throw new SignetError('ERR_INVALID_OPTION', 'passphrase must be a string or a Buffer.');
  }
  if (input instanceof KeyObject) {
    if (input.type === 'private') return input;
    throw new SignetError(input.type === 'public' ? 'ERR_KEY_NOT_PRIVATE' : 'ERR_KEY_TYPE', `privateKey is a ${input.type} KeyObject; a private key is required.`);
  }
  if (typeof input !== 'string' && !Buffer.isBuffer(input)) {
    throw new SignetError('ERR_INVALID_OPTION', 'privateKey must be a PEM string, a Buffer (PEM or DER) or a KeyObject.');
  }
  if (input.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'privateKey is empty.');
  }

  const text = pemText(typeof input === 'string' ? input : input.toString('latin1'));
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (label !== undefined && NOT_PRIVATE_LABELS.test(label)) {
    throw new SignetError('ERR_KEY_NOT_PRIVATE', `privateKey is a PEM "${label}"; a private key is required.`);
  }
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && passphrase === undefined) {
    throw new SignetError('ERR_KEY_PASSPHRASE', 'privateKey is encrypted; pass its passphrase.');
  }

  // Without a PEM label: DER bytes, or the base64 of DER as a one-line variable holds it.
  const ders = label !== undefined ? [] : [Buffer.from(input), ...bareBase64Der(input)];
  const attempts: Array<Parameters<typeof createPrivateKey>[0]> =
    label !== undefined
      ? [{ key: text, format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) }]
      : ders.flatMap((der) => [
          { key: der, format: 'der', type: 'pkcs8', ...(passphrase === undefined ? {} : { passphrase }) } as const,
          { key: der, format: 'der', type: 'pkcs1' } as const,
          { key: der, format: 'der', type: 'sec1' } as const,
        ]);
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
  if (locked) {
    throw new SignetError('ERR_KEY_PASSPHRASE', passphrase === undefined ? 'privateKey is encrypted; pass its passphrase.' : 'privateKey could not be decrypted: the passphrase is wrong.');
  }
  if (ders.some(isPublicDer)) {
    throw new SignetError('ERR_KEY_NOT_PRIVATE', 'privateKey is a DER public key or certificate; a private key is required.');
  }
  if (typeof input === 'string' && looksLikePath(input)) {
    // The path itself stays out of the message, as everything the caller passed as a key does.
    throw new SignetError('ERR_KEY_INVALID', "privateKey looks like a file path, not a key: pass the file's contents (fs.readFileSync(path)).");
  }
  throw new SignetError('ERR_KEY_INVALID', 'privateKey could not be parsed: expected a PEM (PKCS#8, PKCS#1 or SEC1) or DER private key, or the base64 of a DER key.');
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
function bareBase64Der(input: string | Buffer): Buffer[] {
  const compact = (typeof input === 'string' ? input : input.toString('latin1')).replace(/\s+/g, '');
  if (compact.length < 64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return [];
  return [Buffer.from(compact, 'base64')];
}

// A path, not a key: one short line that starts like a path or ends like a key file's name.
function looksLikePath(input: string): boolean {
  const value = input.trim();
  return value.length < 1024 && !/[\r\n]/.test(value) && (/^(~|\.{1,2})?[\\/]/.test(value) || /^[A-Za-z]:[\\/]/.test(value) || /\.(pem|key|der|p8|pk8|txt)$/i.test(value));
}

function isPublicDer(der: Buffer): boolean {
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
