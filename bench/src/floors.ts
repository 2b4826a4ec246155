import { Buffer } from 'node:buffer';
import { type KeyObject, createHash, createHmac, sign } from 'node:crypto';

// The floors: the same token built by hand on node:crypto, with nothing else. Header, payload and body hash are on
// both sides of every ratio; only the SDK's own overhead is not on this one.
const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const RS256_HEADER = b64('{"alg":"RS256","typ":"JWT"}');

export function requestClaims(url: string, body: Uint8Array): string {
  const iat = Math.floor(Date.now() / 1000);
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return JSON.stringify({ uri: url, iat, exp: iat + 55, sub: 'bench-api-key', bodyHash });
}

export function rs256Sync(key: KeyObject, url: string, body: Uint8Array): string {
  const input = `${RS256_HEADER}.${b64(requestClaims(url, body))}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

export function rs256Async(key: KeyObject, url: string, body: Uint8Array): Promise<string> {
  const input = `${RS256_HEADER}.${b64(requestClaims(url, body))}`;
  return new Promise((resolve, reject) => sign('sha256', Buffer.from(input), key, (error, signature) => (error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`))));
}

export function hmacToken(hash: 'sha256' | 'sha512', key: KeyObject, header: string, claims: () => object): string {
  const input = `${b64(header)}.${b64(JSON.stringify(claims()))}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}
