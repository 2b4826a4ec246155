import type { KeyObject } from 'node:crypto';
import { jwsMinter } from './jws-minter.js';
import { type Clock, checkClock, checkOffset, issuedAt } from './clock.js';
import { loadHmacSecret } from './keys.js';
import { optionNames, readOptions } from './options.js';
import { tokenSource } from './token-reuse.js';
import type { SignableRequest, Signer } from './types.js';
import { assertHeaderSafeString, assertPositiveInteger } from './validate.js';

/** Options of {@link portOneSigner}. */
export interface PortOneSignerOptions {
  /** Your PortOne key: the `sub` claim and the `X-Portone-Client-Key` header. */
  clientKey: string;
  /** Your PortOne secret key, the HS256 secret. Any non-empty secret PortOne issued is accepted. */
  secretKey: string | Buffer | KeyObject | CryptoKey | JsonWebKey;
  /** Token lifetime: `exp = iat + expiresInSeconds`. @default 100 */
  expiresInSeconds?: number;
  /** The `iss` claim; older accounts use `'CHAIPAY'`. @default 'PORTONE' */
  issuer?: string;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock for `iat` and `exp`. @default 0 */
  clockOffsetSeconds?: number;
  /**
   * Reuse one token across requests until it is this many seconds from its `exp` (concurrent requests share it).
   * @default undefined (a fresh token for every request, as PortOne's documentation shows)
   */
  reuseWithinSeconds?: number;
}

const PORTONE_OPTIONS = optionNames<PortOneSignerOptions>({
  clientKey: true,
  secretKey: true,
  expiresInSeconds: true,
  issuer: true,
  clock: true,
  clockOffsetSeconds: true,
  reuseWithinSeconds: true,
});

/**
 * PortOne's JWT authentication: HS256 `{ iss: 'PORTONE', sub: clientKey, iat, exp: iat + 100 }`, sent as
 * `Authorization: Bearer <token>` with `X-Portone-Client-Key: <clientKey>`.
 *
 * @example
 * ```ts
 * const api = createSignedAxios(portOneSigner({ clientKey, secretKey }), { baseURL: 'https://api.portone.cloud' });
 * await api.get(`/api/transaction/${orderRef}/status`);
 * ```
 */
export function portOneSigner(options: PortOneSignerOptions): Signer {
  const own = readOptions<PortOneSignerOptions>(options, 'portOneSigner', PORTONE_OPTIONS, 'clientKey and secretKey');
  const { clientKey, expiresInSeconds = 100, issuer = 'PORTONE', clock = Date.now, reuseWithinSeconds } = own;
  assertHeaderSafeString(clientKey, 'clientKey');
  assertHeaderSafeString(issuer, 'issuer');
  assertPositiveInteger(expiresInSeconds, 'expiresInSeconds');
  const mint = jwsMinter('HS256', loadHmacSecret(own.secretKey, 'secretKey'));
  const tokenAt = tokenSource((iat) => mint({ iss: issuer, sub: clientKey, iat, exp: iat + expiresInSeconds }), expiresInSeconds, reuseWithinSeconds);
  const readClock = checkClock(clock);
  const offset = checkOffset(own.clockOffsetSeconds, 'clockOffsetSeconds');
  return {
    async sign(request?: SignableRequest) {
      return { Authorization: `Bearer ${await tokenAt(issuedAt(readClock, offset, request))}`, 'X-Portone-Client-Key': clientKey };
    },
  };
}

/** Options of {@link twoCheckoutSigner}. */
export interface TwoCheckoutSignerOptions {
  /** Your 2Checkout merchant code: the `sub` claim. */
  merchantCode: string;
  /** Your Buy-link Secret Word, the HS512 secret. Any non-empty secret 2Checkout issued is accepted. */
  secretWord: string | Buffer | KeyObject | CryptoKey | JsonWebKey;
  /**
   * Token lifetime: `exp = iat + expiresInSeconds`. `false` leaves `exp` out, and 2Checkout then applies its own
   * 30 minutes.
   * @default 1800
   */
  expiresInSeconds?: number | false;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock for `iat` and `exp`. @default 0 */
  clockOffsetSeconds?: number;
  /** Reuse one token until it is this many seconds from its `exp`. @default undefined (a fresh token every time) */
  reuseWithinSeconds?: number;
}

const TWO_CHECKOUT_OPTIONS = optionNames<TwoCheckoutSignerOptions>({
  merchantCode: true,
  secretWord: true,
  expiresInSeconds: true,
  clock: true,
  clockOffsetSeconds: true,
  reuseWithinSeconds: true,
});

/**
 * 2Checkout (Verifone) merchant JWT for the Signature Generation API: HS512 `{ sub: merchantCode, iat, exp }` in
 * the `merchant-token` header.
 *
 * @example
 * ```ts
 * const api = createSignedAxios(twoCheckoutSigner({ merchantCode, secretWord }), { baseURL: 'https://secure.2checkout.com' });
 * // generateTwoCheckoutSignature comes from '@signet/axios/providers/2checkout'.
 * const { signature } = await generateTwoCheckoutSignature(api, { merchant: merchantCode, prod: 'Product', price: 10, currency: 'USD' });
 * ```
 */
export function twoCheckoutSigner(options: TwoCheckoutSignerOptions): Signer {
  const own = readOptions<TwoCheckoutSignerOptions>(options, 'twoCheckoutSigner', TWO_CHECKOUT_OPTIONS, 'merchantCode and secretWord');
  const { merchantCode, expiresInSeconds = 1800, clock = Date.now, reuseWithinSeconds } = own;
  assertHeaderSafeString(merchantCode, 'merchantCode');
  if (expiresInSeconds !== false) assertPositiveInteger(expiresInSeconds, 'expiresInSeconds');
  const mint = jwsMinter('HS512', loadHmacSecret(own.secretWord, 'secretWord'));
  const lifetime = expiresInSeconds === false ? undefined : expiresInSeconds;
  const tokenAt = tokenSource((iat) => mint(lifetime === undefined ? { sub: merchantCode, iat } : { sub: merchantCode, iat, exp: iat + lifetime }), lifetime, reuseWithinSeconds);
  const readClock = checkClock(clock);
  const offset = checkOffset(own.clockOffsetSeconds, 'clockOffsetSeconds');
  return {
    async sign(request?: SignableRequest) {
      return { 'merchant-token': await tokenAt(issuedAt(readClock, offset, request)) };
    },
  };
}
