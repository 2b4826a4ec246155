import type { JwsAlgorithm } from '../algorithm-registry.js';
import { type Clock, checkClock, checkOffset, issuedAt } from '../clock.js';
import { SignetError } from '../errors.js';
import { jwsMinter } from '../jws-minter.js';
import { type PrivateKeyInput, isCryptoKey, isJwk, loadPrivateSigningKey } from '../keys.js';
import { base64urlOf, fromBase64, hexOf } from '../platform/bytes.js';
import { type PlatformKey, isPlatformKey, keyFromCryptoKey, privateKeyFromJwk, publicJwkOf, randomBytes } from '../platform/crypto.js';
import { optionNames, ownValue, readOptions } from '../options.js';
import type { SignableRequest, Signer } from '../types.js';
import { assertHeaderSafeString, assertPositiveInteger } from '../validate.js';

/** Options of {@link coinbaseSigner}. */
export interface CoinbaseSignerOptions {
  /** The CDP API key name (or ID): the `sub` claim and the `kid` header, e.g. `'organizations/…/apiKeys/…'`. */
  keyName: string;
  /**
   * The CDP API key secret: an ECDSA P-256 key as PEM (SEC1 `EC PRIVATE KEY`, as CDP issues it, or PKCS#8), the
   * Ed25519 secret as CDP issues it (base64 of the 32-byte seed followed by the 32-byte public key), or a
   * `KeyObject`, `CryptoKey` or private JWK. ES256 or EdDSA follows from the key. Parsed once, here.
   */
  privateKey: PrivateKeyInput;
  /**
   * `'uri'`: `{ sub, iss, nbf, exp, uri }`, the form of CDP's authentication guide and `coinbase-advanced-py`;
   * `'uris'`: `{ sub, iss, uris: [uri], iat, nbf, exp }`, the form `@coinbase/cdp-sdk` sends.
   * @default 'uri'
   */
  uriClaim?: 'uri' | 'uris';
  /** `exp = nbf + expiresInSeconds`; CDP accepts at most 2 minutes. @default 120 */
  expiresInSeconds?: number;
  /**
   * The host bound in `uri` when the transport does not say where the request goes (a direct `sign()` call).
   * `@signet/axios` and `@signet/fetch` always give the request's own host, which then wins.
   * @default undefined
   */
  host?: string;
  /** The header `nonce` of each token. @default 16 random bytes as hex (as `@coinbase/cdp-sdk`) */
  nonce?: () => string;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock for `nbf`, `iat` and `exp`. @default 0 */
  clockOffsetSeconds?: number;
}

const COINBASE_OPTIONS = optionNames<CoinbaseSignerOptions>({
  keyName: true,
  privateKey: true,
  uriClaim: true,
  expiresInSeconds: true,
  host: true,
  nonce: true,
  clock: true,
  clockOffsetSeconds: true,
});

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Coinbase Developer Platform (CDP) API keys, for the CDP APIs and Advanced Trade: an ES256 or EdDSA JWT per
 * request in `Authorization: Bearer …`, with the protected header `{ alg, kid: keyName, nonce, typ: 'JWT' }` and the
 * claims `{ sub: keyName, iss: 'cdp', nbf, exp: nbf + 120, uri: '<METHOD> <host><path>' }` (the query is not
 * part of it). `uriClaim: 'uris'` sends `@coinbase/cdp-sdk`'s form instead.
 *
 * @example
 * ```ts
 * const signer = coinbaseSigner({ keyName: process.env.CDP_API_KEY_NAME!, privateKey: process.env.CDP_API_KEY_SECRET! });
 * const api = createSignedAxios(signer, { baseURL: 'https://api.coinbase.com' });
 * await api.get('/api/v3/brokerage/accounts');
 * ```
 */
export function coinbaseSigner(options: CoinbaseSignerOptions): Signer {
  const own = readOptions<CoinbaseSignerOptions>(options, 'coinbaseSigner', COINBASE_OPTIONS, 'keyName and privateKey');
  const { keyName, uriClaim = 'uri', expiresInSeconds = 120, host, nonce = () => hexOf(randomBytes(16)), clock = Date.now } = own;
  assertHeaderSafeString(keyName, 'keyName');
  if (uriClaim !== 'uri' && uriClaim !== 'uris') throw new SignetError('ERR_INVALID_OPTION', "uriClaim must be 'uri' or 'uris'.");
  assertPositiveInteger(expiresInSeconds, 'expiresInSeconds');
  if (host !== undefined && (typeof host !== 'string' || !HOST.test(host))) {
    throw new SignetError('ERR_INVALID_OPTION', 'host must be a host name with an optional port, e.g. "api.coinbase.com".');
  }
  if (typeof nonce !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'nonce must be a function returning a unique string.');
  const readClock = checkClock(clock);
  const offset = checkOffset(own.clockOffsetSeconds, 'clockOffsetSeconds');
  const { algorithm, key } = loadCoinbaseKey(own.privateKey);
  // The header as each form's reference orders it: PyJWT sorts its keys; @coinbase/cdp-sdk puts nonce last.
  const header = (): object => {
    const value = nonce();
    if (typeof value !== 'string' || value.length === 0) throw new SignetError('ERR_INVALID_OPTION', 'nonce() must return a non-empty string.');
    return uriClaim === 'uri' ? { alg: algorithm, kid: keyName, nonce: value, typ: 'JWT' } : { alg: algorithm, kid: keyName, typ: 'JWT', nonce: value };
  };
  const mint = jwsMinter(algorithm, key, header);
  return {
    async sign(request: SignableRequest) {
      const uri = `${requestMethod(request)} ${requestHost(request, host)}${requestPath(request)}`;
      const nbf = issuedAt(readClock, offset, request);
      const exp = nbf + expiresInSeconds;
      const claims = uriClaim === 'uri' ? { sub: keyName, iss: 'cdp', nbf, exp, uri } : { sub: keyName, iss: 'cdp', uris: [uri], iat: nbf, nbf, exp };
      return { Authorization: `Bearer ${await mint(claims)}` };
    },
  };
}

function requestMethod(request: SignableRequest): string {
  const method = ownValue(request, 'method');
  if (typeof method !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.method must be an HTTP method name such as "POST".');
  }
  return method.toUpperCase();
}

/** The path, without the query: Coinbase's `uri` leaves the query out. */
function requestPath(request: SignableRequest): string {
  const url = ownValue(request, 'url');
  if (typeof url !== 'string' || !/^\/[\x21-\x7e]*$/.test(url) || url.includes('#')) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.url must be the path + query as sent on the wire: starting with "/", percent-encoded, without origin or fragment.');
  }
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function requestHost(request: SignableRequest, fallback: string | undefined): string {
  const origin = ownValue(request, 'origin');
  if (origin === undefined && fallback !== undefined) return fallback;
  if (typeof origin === 'string') {
    try {
      const url = new URL(origin);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin) return url.host;
    } catch {
      // refused below
    }
  }
  throw new SignetError('ERR_INVALID_REQUEST', 'Coinbase tokens bind the host: give request.origin (e.g. "https://api.coinbase.com"), or the signer a host option.');
}

/** The key CDP issued, and the algorithm it signs: ES256 for a P-256 key, EdDSA for an Ed25519 one. */
function loadCoinbaseKey(input: unknown): { algorithm: JwsAlgorithm; key: PlatformKey } {
  const ed25519 = typeof input === 'string' ? cdpEd25519Secret(input) : undefined;
  if (ed25519 !== undefined) return { algorithm: 'EdDSA', key: ed25519 };
  const type = isCryptoKey(input) ? keyFromCryptoKey(input).asymmetricKeyType : isPlatformKey(input) ? input.asymmetricKeyType : isJwk(input) && input['crv'] === 'Ed25519' ? 'ed25519' : undefined;
  if (type === 'ed25519') return { algorithm: 'EdDSA', key: loadPrivateSigningKey('EdDSA', input, undefined) };
  try {
    return { algorithm: 'ES256', key: loadPrivateSigningKey('ES256', input, undefined) };
  } catch (error) {
    if (!(error instanceof SignetError) || error.code !== 'ERR_KEY_TYPE') throw error;
    const key = loadPrivateSigningKey('EdDSA', input, undefined);
    if (key.asymmetricKeyType !== 'ed25519') throw new SignetError('ERR_KEY_TYPE', 'privateKey is neither a P-256 (ES256) nor an Ed25519 key, the two kinds CDP issues.');
    return { algorithm: 'EdDSA', key };
  }
}

/** CDP's Ed25519 secret: base64 of seed (32 bytes) + public key (32 bytes); `undefined` for anything else. */
function cdpEd25519Secret(input: string): PlatformKey | undefined {
  const compact = input.trim();
  if (!/^[A-Za-z0-9+/]{86}==$/.test(compact)) return undefined;
  const bytes = fromBase64(compact);
  if (bytes.length !== 64) return undefined;
  const x = base64urlOf(bytes.subarray(32));
  const key = privateKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', d: base64urlOf(bytes.subarray(0, 32)), x });
  // Node derives the public half from the seed; a secret whose second half is not it is corrupt. (The web build
  // cannot derive it synchronously: there WebCrypto's import of the pair is the check.)
  if (publicJwkOf(key)['x'] !== x) {
    throw new SignetError('ERR_KEY_INVALID', 'privateKey looks like a CDP Ed25519 secret, but its public half does not belong to its seed: copy the whole secret again.');
  }
  return key;
}
