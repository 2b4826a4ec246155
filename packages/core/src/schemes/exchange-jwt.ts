import { type Clock, checkClock, checkOffset } from '../clock.js';
import { SignetError } from '../errors.js';
import { jwsMinter } from '../jws-minter.js';
import { loadHmacSecret } from '../keys.js';
import { randomUUID } from '../platform/crypto.js';
import { ownValue } from '../options.js';
import type { SignableRequest, Signer } from '../types.js';
import { assertHeaderSafeString } from '../validate.js';
import { type QueryHashForm, queryHash, requestParams } from './query-hash.js';

/** @internal What Upbit's and Bithumb's signers share, checked by each. */
export interface ExchangeJwtSettings {
  accessKey: unknown;
  secretKey: unknown;
  algorithm: unknown;
  nonce: unknown;
  form: QueryHashForm;
  /** Bithumb's `timestamp` claim, in milliseconds; Upbit has none. */
  timestamp?: { clock: unknown; offsetSeconds: unknown };
}

/**
 * The exchange JWT of Upbit and Bithumb: HS256 (or HS512) over `{ access_key, nonce, [timestamp,] query_hash,
 * query_hash_alg: 'SHA512' }`, the hash claims only when the request has parameters, in `Authorization: Bearer`.
 * The parameters are read back from the request as sent (the percent-encoded query, the body's bytes), so the hash
 * covers what the server receives, never what the caller meant to send.
 * @internal
 */
export function exchangeJwtSigner(settings: ExchangeJwtSettings): Signer {
  const { accessKey, algorithm, nonce, form, timestamp } = settings;
  assertHeaderSafeString(accessKey, 'accessKey');
  if (algorithm !== 'HS256' && algorithm !== 'HS512') throw new SignetError('ERR_INVALID_OPTION', "algorithm must be 'HS256' or 'HS512'.");
  if (typeof nonce !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'nonce must be a function returning a unique string (a UUID).');
  const key = loadHmacSecret(settings.secretKey, 'secretKey');
  const mint = jwsMinter(algorithm, key);
  const clock = timestamp === undefined ? undefined : checkClock(timestamp.clock);
  const offset = timestamp === undefined ? 0 : checkOffset(timestamp.offsetSeconds, 'clockOffsetSeconds');

  return {
    async sign(request: SignableRequest) {
      const { hashInput } = requestParams(wireUrl(request), requestBody(request), form);
      const value = (nonce as () => unknown)();
      if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw new SignetError('ERR_INVALID_OPTION', 'nonce() must return a string of 1 to 256 characters.');
      // Claim order as ccxt and the providers' samples write it.
      const claims: Record<string, unknown> = { access_key: accessKey, nonce: value };
      if (clock !== undefined) claims['timestamp'] = timestampMillis(clock, offset, request);
      if (hashInput !== undefined) {
        claims['query_hash'] = queryHash(hashInput);
        claims['query_hash_alg'] = 'SHA512';
      }
      return { Authorization: `Bearer ${await mint(claims)}` };
    },
  };
}

/** @internal The default nonce: a UUID v4, as both providers ask. */
export const uuidNonce = (): string => randomUUID();

function wireUrl(request: SignableRequest): string {
  const url = ownValue(request, 'url');
  if (typeof url !== 'string' || !/^\/[\x21-\x7e]*$/.test(url) || url.includes('#')) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.url must be the path + query as sent on the wire: starting with "/", percent-encoded, without origin or fragment.');
  }
  return url;
}

function requestBody(request: SignableRequest): Uint8Array | undefined {
  const body = ownValue(request, 'body');
  if (body === undefined || body instanceof Uint8Array) return body;
  throw new SignetError('ERR_INVALID_REQUEST', 'request.body must be the exact bytes sent (a Uint8Array), or undefined for none.');
}

/** The transport's signing time (`request.signingTime`) when it gives one, else the signer's clock and offset. */
function timestampMillis(clock: Clock, offsetSeconds: number, request: SignableRequest): number {
  const signingTime = ownValue(request, 'signingTime');
  if (signingTime !== undefined) {
    if (typeof signingTime !== 'number' || !Number.isFinite(signingTime) || signingTime < 0) {
      throw new SignetError('ERR_INVALID_REQUEST', 'request.signingTime must be the time to sign at, in milliseconds since the epoch (e.g. Date.now()).');
    }
    return Math.floor(signingTime);
  }
  const now = clock();
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new SignetError('ERR_INVALID_OPTION', 'clock returned a value that is not a finite number.');
  return Math.floor(now) + offsetSeconds * 1000;
}
