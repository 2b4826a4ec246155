import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { SignetError } from '../errors.js';
import { optionNames, readOptions } from '../options.js';
import type { Signer } from '../types.js';
import { exchangeJwtSigner, uuidNonce } from './exchange-jwt.js';

/** Options of {@link bithumbSigner}. */
export interface BithumbSignerOptions {
  /** Your Bithumb API Key: the `access_key` claim. */
  accessKey: string;
  /** Your Bithumb Secret Key, the HMAC secret (its UTF-8 bytes, as Bithumb's samples and ccxt use it). */
  secretKey: string | Buffer | KeyObject | CryptoKey | JsonWebKey;
  /**
   * How the parameters are written before hashing. `'raw'`: decoded, as they are (Korean text and spaces
   * unencoded), what Bithumb's server recomputes as its users report (the encoded form of Korean text is refused
   * with `invalid_query_payload`). `'encoded'`: the query exactly as sent and a body's parameters URL-encoded, as
   * Bithumb's reference samples (`urlencode(params)`) and ccxt write them. The two agree whenever no parameter needs
   * percent-encoding (markets, UUIDs, numbers).
   * @default 'raw'
   */
  queryHashForm?: 'raw' | 'encoded';
  /** The JWT algorithm; Bithumb documents HS256. @default 'HS256' */
  algorithm?: 'HS256' | 'HS512';
  /** The unique `nonce` of each token. @default crypto.randomUUID (a UUID v4, as Bithumb asks) */
  nonce?: () => string;
  /** Milliseconds since the epoch, for the `timestamp` claim. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock. @default 0 */
  clockOffsetSeconds?: number;
}

const BITHUMB_OPTIONS = optionNames<BithumbSignerOptions>({ accessKey: true, secretKey: true, queryHashForm: true, algorithm: true, nonce: true, clock: true, clockOffsetSeconds: true });

/**
 * Bithumb's API 2.0 authentication: a JWT per request, `{ access_key, nonce, timestamp, query_hash, query_hash_alg:
 * 'SHA512' }` (HS256 with the Secret Key; `timestamp` in milliseconds), in `Authorization: Bearer …`. `query_hash`
 * is the hex SHA-512 of the request's parameters (the query of a GET/DELETE, the JSON body's of a POST), absent
 * when there are none; see `queryHashForm` for how they are written. The token binds those parameters and the time
 * only: not the method, path or host (Bithumb's design).
 *
 * @example
 * ```ts
 * const api = createSignedAxios(bithumbSigner({ accessKey: process.env.BITHUMB_ACCESS_KEY!, secretKey: process.env.BITHUMB_SECRET_KEY! }), { baseURL: 'https://api.bithumb.com' });
 * await api.post('/v1/orders', { market: 'KRW-BTC', side: 'bid', price: '100000', ord_type: 'price' });
 * ```
 */
export function bithumbSigner(options: BithumbSignerOptions): Signer {
  const own = readOptions<BithumbSignerOptions>(options, 'bithumbSigner', BITHUMB_OPTIONS, 'accessKey and secretKey');
  const { accessKey, secretKey, queryHashForm = 'raw', algorithm = 'HS256', nonce = uuidNonce, clock = Date.now, clockOffsetSeconds } = own;
  if (queryHashForm !== 'raw' && queryHashForm !== 'encoded') throw new SignetError('ERR_INVALID_OPTION', "queryHashForm must be 'raw' or 'encoded'.");
  return exchangeJwtSigner({ accessKey, secretKey, algorithm, nonce, form: queryHashForm, timestamp: { clock, offsetSeconds: clockOffsetSeconds } });
}
