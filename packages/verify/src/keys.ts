import { Buffer } from 'node:buffer';
import { KeyObject, createPublicKey } from 'node:crypto';
import { SignetError } from '@signet/core';

/** A verification key: a public key (PEM SPKI or PKCS#1, an X.509 certificate, DER SPKI) or a `KeyObject`. */
export type PublicKeyInput = string | Buffer | KeyObject;

/**
 * Parses a public key once. A private key is accepted and reduced to its public half; a secret is refused: the
 * request scheme is verified with public keys only, so an HMAC secret can never stand in for one.
 * @internal
 */
export function loadPublicKey(input: unknown, what: string): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'public') return input;
    if (input.type === 'private') return createPublicKey(input);
    throw new SignetError('ERR_KEY_TYPE', `${what} is a secret key; a public key is required.`);
  }
  if ((typeof input !== 'string' && !Buffer.isBuffer(input)) || input.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', `${what} must be a non-empty PEM string, DER Buffer or KeyObject.`);
  }
  const pem = typeof input === 'string' || input.includes('-----BEGIN');
  try {
    return pem ? createPublicKey(input) : createPublicKey({ key: input, format: 'der', type: 'spki' });
  } catch {
    throw new SignetError('ERR_KEY_INVALID', `${what} could not be parsed as a public key (PEM, certificate or DER SPKI).`);
  }
}
