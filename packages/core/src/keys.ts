import { Buffer } from 'node:buffer';
import { KeyObject, createPrivateKey } from 'node:crypto';
import { SignetError } from './errors.js';

/** A private key as users hold it: PEM text (PKCS#8 or PKCS#1, optionally encrypted), DER bytes or a `KeyObject`. */
export type PrivateKeyInput = string | Buffer | KeyObject;

const NOT_PRIVATE_LABELS = /^(PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE|X509 CERTIFICATE|TRUSTED CERTIFICATE|CERTIFICATE REQUEST|NEW CERTIFICATE REQUEST)$/;

/**
 * Parses an RSA private key once and checks it can sign RS256 safely. Every error is a `SignetError` whose message
 * describes the key's kind, never its content.
 * @internal
 */
export function loadRsaPrivateKey(input: unknown, passphrase: unknown, minBits = 2048): KeyObject {
  const key = toPrivateKeyObject(input, passphrase);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SignetError(
      'ERR_KEY_TYPE',
      `privateKey is a${key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'ed25519' ? 'n' : ''} ${key.asymmetricKeyType ?? 'unknown'} key; RS256 needs an RSA key (RSASSA-PKCS1-v1_5).`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < minBits) {
    throw new SignetError('ERR_KEY_TOO_SMALL', `privateKey is a ${bits}-bit RSA key; at least ${minBits} bits are required.`);
  }
  return key;
}

function toPrivateKeyObject(input: unknown, passphrase: unknown): KeyObject {
  if (passphrase !== undefined && typeof passphrase !== 'string' && !Buffer.isBuffer(passphrase)) {
    throw new SignetError('ERR_INVALID_OPTION', 'passphrase must be a string or a Buffer.');
  }
  if (input instanceof KeyObject) {
    if (input.type === 'private') return input;
    throw new SignetError(
      input.type === 'public' ? 'ERR_KEY_NOT_PRIVATE' : 'ERR_KEY_TYPE',
      `privateKey is a ${input.type} KeyObject; a private key is required.`,
    );
  }
  if (typeof input !== 'string' && !Buffer.isBuffer(input)) {
    throw new SignetError('ERR_INVALID_OPTION', 'privateKey must be a PEM string, a Buffer (PEM or DER) or a KeyObject.');
  }
  if (input.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'privateKey is empty.');
  }

  const text = typeof input === 'string' ? input : input.toString('latin1');
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  if (label !== undefined && NOT_PRIVATE_LABELS.test(label)) {
    throw new SignetError('ERR_KEY_NOT_PRIVATE', `privateKey is a PEM "${label}"; a private key is required.`);
  }
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && passphrase === undefined) {
    throw new SignetError('ERR_KEY_PASSPHRASE', 'privateKey is encrypted; pass its passphrase.');
  }

  const attempts: Array<Parameters<typeof createPrivateKey>[0]> =
    label !== undefined
      ? [{ key: input, format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) }]
      : [
          { key: Buffer.from(input), format: 'der', type: 'pkcs8', ...(passphrase === undefined ? {} : { passphrase }) },
          { key: Buffer.from(input), format: 'der', type: 'pkcs1' },
        ];
  for (const attempt of attempts) {
    try {
      return createPrivateKey(attempt);
    } catch {
      // Node's message names only the OpenSSL reason; we still report our own, so nothing of the input can leak.
    }
  }
  if (encrypted) {
    throw new SignetError('ERR_KEY_PASSPHRASE', 'privateKey could not be decrypted: the passphrase is wrong.');
  }
  throw new SignetError(
    'ERR_KEY_INVALID',
    'privateKey could not be parsed: expected a PEM (PKCS#8 or PKCS#1) or DER private key.',
  );
}
