import type { KeyObject } from 'node:crypto';
import { optionNames, readOptions } from '../options.js';
import type { Signer } from '../types.js';
import { exchangeJwtSigner, uuidNonce } from './exchange-jwt.js';

/** Options of {@link upbitSigner}. */
export interface UpbitSignerOptions {
  /** Your Upbit Access Key: the `access_key` claim. */
  accessKey: string;
  /** Your Upbit Secret Key, the HMAC secret (its UTF-8 bytes, as Upbit's samples and ccxt use it). */
  secretKey: string | Buffer | KeyObject | CryptoKey | JsonWebKey;
  /**
   * The JWT algorithm. Upbit's samples sign HS256 (PyJWT's default, and ccxt's); its reference's example token is
   * HS512. Both are accepted by Upbit.
   * @default 'HS256'
   */
  algorithm?: 'HS256' | 'HS512';
  /** The unique `nonce` of each token. @default crypto.randomUUID (a UUID v4, as Upbit asks) */
  nonce?: () => string;
}

const UPBIT_OPTIONS = optionNames<UpbitSignerOptions>({ accessKey: true, secretKey: true, algorithm: true, nonce: true });

/**
 * Upbit's exchange API authentication: a JWT per request, `{ access_key, nonce, query_hash, query_hash_alg:
 * 'SHA512' }` signed with the Secret Key, in `Authorization: Bearer …`. `query_hash` is the hex SHA-512 of the
 * request's parameters written as Upbit's reference writes them, `unquote(urlencode(params, doseq=True))`: keys and
 * values decoded, a space as `+`, arrays as repeated keys (`states[]=wait&states[]=watch`); the parameters are the
 * query of a GET/DELETE, or the JSON body's of a POST. A request without parameters carries neither hash claim.
 * The token binds those parameters only: not the method, path or host (Upbit's design), and it has no expiry.
 *
 * @example
 * ```ts
 * const api = createSignedAxios(upbitSigner({ accessKey: process.env.UPBIT_ACCESS_KEY!, secretKey: process.env.UPBIT_SECRET_KEY! }), { baseURL: 'https://api.upbit.com' });
 * await api.get('/v1/orders/closed', { params: { market: 'KRW-BTC', 'states[]': ['done', 'cancel'] } });
 * ```
 */
export function upbitSigner(options: UpbitSignerOptions): Signer {
  const own = readOptions<UpbitSignerOptions>(options, 'upbitSigner', UPBIT_OPTIONS, 'accessKey and secretKey');
  const { accessKey, secretKey, algorithm = 'HS256', nonce = uuidNonce } = own;
  return exchangeJwtSigner({ accessKey, secretKey, algorithm, nonce, form: 'upbit' });
}
