import { hashBody, sha256Hex } from './body-hash.js';
import { SignetError } from './errors.js';
import { jwsMinter } from './jws-minter.js';
import { checkClock, checkOffset, issuedAt } from './clock.js';
import { type OffloadMode, checkOffload } from './offload.js';
import { type PrivateKeyInput, loadRsaPrivateKey } from './keys.js';
import { randomUUID } from './platform/crypto.js';
import { type RemoteKeyOptions, checkSigningKey, isSigningKey, remoteLimits } from './remote-key.js';
import type { SigningKey } from './signing-key.js';
import type { SignableRequest, Signer } from './types.js';
import { optionNames, ownValue, readOptions } from './options.js';
import { assertHeaderName, assertHeaderSafeString, assertPositiveInteger } from './validate.js';

/** Options of {@link requestSigner}. */
export interface RequestSignerOptions extends RemoteKeyOptions {
  /** Your API key; becomes the `sub` claim. Non-empty, no control characters. */
  apiKey: string;
  /**
   * Your RSA private key (at least 2048 bits): PEM PKCS#8 or PKCS#1 text, optionally encrypted (then give
   * `passphrase`), DER bytes, a `KeyObject`, a `CryptoKey` or a private JWK. Parsed once, here; never per request. Or a `SigningKey` for RS256
   * held outside the process (`@signet/pkcs11`, `@signet/aws-kms`, your own), within `maxConcurrentSigns` and
   * `signTimeoutMs`.
   */
  privateKey: PrivateKeyInput | SigningKey;
  /** Passphrase of an encrypted PEM key. @default undefined */
  passphrase?: string | Uint8Array;
  /** Token lifetime: `exp = iat + expiresInSeconds`. @default 55 */
  expiresInSeconds?: number;
  /**
   * The bytes hashed for `bodyHash` when a request has no body or a zero-length one. The reference scheme uses
   * `'{}'`; some APIs of the same family hash empty input (`''`).
   * @default '{}'
   */
  emptyBody?: string | Uint8Array;
  /** The current time in milliseconds since the epoch; inject a fixed clock in tests. @default Date.now */
  clock?: () => number;
  /**
   * Adds a unique `nonce` claim to every token (APIs such as Fireblocks require one). `true` uses a random UUID; a
   * function supplies your own.
   * @default false
   */
  nonce?: boolean | (() => string);
  /**
   * Adds a `method` claim, the request's method upper-cased, so a token for `GET /v1/orders/42` cannot serve a
   * `DELETE` of the same path. The receiving API must know the claim (`@signet/verify`: `requireMethod: true`);
   * the reference scheme has no such claim.
   * @default false
   */
  bindMethod?: boolean;
  /** Also send the API key in this header (e.g. `'X-API-Key'`). @default undefined (not sent) */
  apiKeyHeader?: string;
  /** Seconds added to the clock for `iat` and `exp`, for a host whose clock is known to be off. @default 0 */
  clockOffsetSeconds?: number;
  /**
   * Where the RSA signature runs: `'auto'` on libuv's thread pool whenever signatures overlap, on the calling
   * thread when one is alone (it saves the pool round trip); `'always'` on the pool, never blocking the event loop.
   * @default 'auto'
   */
  offload?: OffloadMode;
}

const REQUEST_SIGNER_OPTIONS = optionNames<RequestSignerOptions>({
  apiKey: true,
  privateKey: true,
  passphrase: true,
  expiresInSeconds: true,
  emptyBody: true,
  clock: true,
  nonce: true,
  apiKeyHeader: true,
  clockOffsetSeconds: true,
  offload: true,
  bindMethod: true,
  maxConcurrentSigns: true,
  signTimeoutMs: true,
});

/**
 * The per-request RS256 scheme: every request carries a fresh JWT
 * `{ uri, iat, exp: iat + 55, sub: apiKey, bodyHash }` in `Authorization: Bearer …`, where `uri` is the path +
 * query as sent and `bodyHash` the hex SHA-256 of the exact body bytes (of `'{}'` when there is none).
 *
 * The key is parsed and checked here, once; a bad key or option throws a {@link SignetError} at construction.
 *
 * @example
 * ```ts
 * const signer = requestSigner({ apiKey: process.env.API_KEY!, privateKey: fs.readFileSync('key.pem') });
 * const headers = await signer.sign({ method: 'POST', url: '/v1/payments?dryRun=1', body: bytes });
 * // { Authorization: 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9…' }
 * ```
 */
export function requestSigner(options: RequestSignerOptions): Signer {
  const own = readOptions<RequestSignerOptions>(options, 'requestSigner', REQUEST_SIGNER_OPTIONS, 'apiKey and privateKey');
  const { apiKey, expiresInSeconds = 55, emptyBody = '{}', clock = Date.now, nonce = false, apiKeyHeader, offload = 'auto', bindMethod = false } = own;
  const offset = checkOffset(own.clockOffsetSeconds, 'clockOffsetSeconds');
  assertHeaderSafeString(apiKey, 'apiKey');
  assertPositiveInteger(expiresInSeconds, 'expiresInSeconds');
  if (typeof emptyBody !== 'string' && !(emptyBody instanceof Uint8Array)) {
    throw new SignetError('ERR_INVALID_OPTION', 'emptyBody must be a string or a Uint8Array.');
  }
  checkClock(clock);
  if (typeof nonce !== 'boolean' && typeof nonce !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', 'nonce must be a boolean or a function returning a string.');
  }
  if (typeof bindMethod !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'bindMethod must be true or false.');
  if (apiKeyHeader !== undefined) assertHeaderName(apiKeyHeader, 'apiKeyHeader');
  checkOffload(offload);
  const limits = remoteLimits(own);
  const privateKey = own.privateKey;
  // The reference scheme is RS256: a key held elsewhere must sign RS256 too.
  if (isSigningKey(privateKey)) checkSigningKey(privateKey, 'RS256', 'privateKey');
  const mint = jwsMinter('RS256', isSigningKey(privateKey) ? privateKey : loadRsaPrivateKey(privateKey, own.passphrase), undefined, offload, limits);
  const emptyBodyHash = sha256Hex(emptyBody);
  const makeNonce = nonce === true ? randomUUID : nonce === false ? undefined : nonce;

  return {
    async sign(request: SignableRequest): Promise<Record<string, string>> {
      const { method, url, body, signal } = checkRequest(request);
      const iat = issuedAt(clock, offset, request);
      // Claims in Fireblocks' documented order (its SDKs' too), so that the same request gives the same token bytes.
      const claims: Record<string, unknown> = { uri: url };
      if (makeNonce) {
        const value = makeNonce();
        if (typeof value !== 'string' || value.length === 0) throw new SignetError('ERR_INVALID_OPTION', 'nonce() must return a non-empty string.');
        claims['nonce'] = value;
      }
      const bodyHash = hashBody(body, emptyBodyHash);
      Object.assign(claims, { iat, exp: iat + expiresInSeconds, sub: apiKey, bodyHash: typeof bodyHash === 'string' ? bodyHash : await bodyHash });
      if (bindMethod) claims['method'] = method.toUpperCase();
      const headers: Record<string, string> = { Authorization: `Bearer ${await mint(claims, signal)}` };
      if (apiKeyHeader !== undefined) headers[apiKeyHeader] = apiKey;
      return headers;
    },
  };
}

// The request line carries only visible ASCII: a path that still holds spaces or non-ASCII is not yet encoded, and
// signing it would sign something other than what goes on the wire.
const WIRE_PATH = /^\/[\x21-\x7e]*$/;

function checkRequest(request: SignableRequest): { method: string; url: string; body: Uint8Array | undefined; signal: AbortSignal | undefined } {
  if (typeof request !== 'object' || request === null) {
    throw new SignetError('ERR_INVALID_REQUEST', 'sign() needs a request { method, url, body? }.');
  }
  // Own properties only: a polluted Object.prototype.body must not be hashed for a request that has none.
  const [method, url, body] = [ownValue(request, 'method'), ownValue(request, 'url'), ownValue(request, 'body')];
  if (typeof method !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.method must be an HTTP method name such as "POST".');
  }
  if (typeof url !== 'string' || !WIRE_PATH.test(url) || url.includes('#')) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.url must be the path + query as sent on the wire: starting with "/", percent-encoded, without origin or fragment.');
  }
  if (body !== undefined && !(body instanceof Uint8Array)) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.body must be a Uint8Array (the exact bytes sent) or undefined.');
  }
  const signal = ownValue(request, 'signal');
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.signal must be an AbortSignal or undefined.');
  }
  return { method, url, body: body, signal };
}
