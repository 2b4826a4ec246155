import { Buffer } from 'node:buffer';
import { type KeyObject, sign as cryptoSign } from 'node:crypto';
import { SignetError } from './errors.js';

/** @internal base64url without padding (RFC 7515 §2). */
export function base64url(input: string | Uint8Array): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength)).toString('base64url');
}

/**
 * Mints compact JWS tokens for one fixed protected header and key. The header is encoded once; each call encodes
 * the payload and signs on libuv's thread pool (`crypto.sign` with a callback), so signing never blocks the event
 * loop and several signatures proceed in parallel.
 * @internal
 */
export function rs256Minter(key: KeyObject): (claims: object) => Promise<string> {
  const encodedHeader = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  return (claims) => {
    const signingInput = `${encodedHeader}.${base64url(JSON.stringify(claims))}`;
    return new Promise((resolve, reject) => {
      cryptoSign('sha256', Buffer.from(signingInput, 'latin1'), key, (error, signature) => {
        if (error) reject(new SignetError('ERR_SIGNING_FAILED', 'RS256 signing failed in the crypto library.'));
        else resolve(`${signingInput}.${signature.toString('base64url')}`);
      });
    });
  };
}
