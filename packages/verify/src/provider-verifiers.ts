import type { KeyObject } from 'node:crypto';
import { SignetError } from '@signet/core';
import { assertHeaderSafeString, readOptions } from '@signet/internal';
import { bearerToken, checkTimes, headerValue, subjectOf } from './claims.js';
import { COMMON_OPTIONS, checkMaxLifetime, commonSettings, refuseReplay } from './common.js';
import { recordDecoded } from './explain.js';
import { verifyJws } from './jws.js';
import { secretKeyFrom } from './platform/crypto.js';
import type { CommonVerifierOptions } from './options.js';
import type { VerifiedClaims, Verifier } from './types.js';
import { defineVerifier } from './verifier.js';

const PORTONE_OPTIONS = [...COMMON_OPTIONS.filter((name) => name !== 'replay'), 'clientKey', 'clientKeys', 'secretKey', 'issuers', 'maxLifetimeSeconds'] as const;
const TWO_CHECKOUT_OPTIONS = [...COMMON_OPTIONS.filter((name) => name !== 'replay'), 'merchantCode', 'secretWord', 'maxLifetimeSeconds'] as const;

/** Options of {@link portOneVerifier}: give `clientKey` or `clientKeys`. It takes no `replay` store. */
export interface PortOneVerifierOptions extends Omit<CommonVerifierOptions, 'replay'> {
  /** The one accepted PortOne client key. */
  clientKey?: string;
  /** The accepted PortOne client keys (all signing with `secretKey`). */
  clientKeys?: readonly string[];
  /** The HS256 secret. */
  secretKey: string | Uint8Array | KeyObject | CryptoKey;
  /** Accepted `iss` values. @default ['PORTONE'] */
  issuers?: readonly string[];
  /** The longest `exp - iat` accepted. @default 100 */
  maxLifetimeSeconds?: number;
}

/**
 * Verifies PortOne's scheme: `X-Portone-Client-Key` names an accepted client key, the bearer token is HS256 with
 * `secretKey`, its `sub` is that client key, its `iss` is accepted and it lives at most 100 seconds.
 *
 * @example
 * ```ts
 * app.use(signetMiddleware(portOneVerifier({ clientKey: 'SglffyyZgojEdXWL', secretKey: process.env.PORTONE_SECRET! })));
 * ```
 */
export function portOneVerifier(options: PortOneVerifierOptions): Verifier {
  refuseReplay(options, 'portOneVerifier');
  const own = readOptions<PortOneVerifierOptions>(options, 'portOneVerifier', PORTONE_OPTIONS, 'clientKey (or clientKeys) and secretKey');
  const { clientKey, clientKeys, issuers = ['PORTONE'], maxLifetimeSeconds = 100 } = own;
  const settings = commonSettings(own);
  const maxLifetime = checkMaxLifetime(maxLifetimeSeconds);
  if ((clientKey === undefined) === (clientKeys === undefined)) {
    throw new SignetError('ERR_INVALID_OPTION', 'portOneVerifier needs exactly one of clientKey or clientKeys.');
  }
  const accepted = clientKey !== undefined ? [clientKey] : clientKeys;
  if (!Array.isArray(accepted) || accepted.length === 0) throw new SignetError('ERR_INVALID_OPTION', 'clientKeys must be a non-empty list.');
  accepted.forEach((key: unknown) => assertHeaderSafeString(key, 'a client key'));
  if (!Array.isArray(issuers) || issuers.length === 0) throw new SignetError('ERR_INVALID_OPTION', 'issuers must be a non-empty list.');
  issuers.forEach((issuer: unknown) => assertHeaderSafeString(issuer, 'an issuer'));
  const clientKeySet = new Set<string>(accepted);
  const issuerSet = new Set<string>(issuers);
  const secret = secretKeyFrom(own.secretKey, 'secretKey');
  const algorithms = new Set(['HS256'] as const);

  return defineVerifier(settings, {
    headers: ['authorization', 'x-portone-client-key'],
    async authenticate(head, facts) {
      const client = headerValue(head.headers, 'x-portone-client-key');
      if (client === undefined || !clientKeySet.has(client)) {
        throw new SignetError('ERR_CLIENT_KEY_MISMATCH', 'The X-Portone-Client-Key header is missing or names an unknown client key.');
      }
      const { payload } = await verifyJws(bearerToken(head.headers), algorithms, () => secret, recordDecoded(facts));
      if (typeof payload['iss'] !== 'string' || !issuerSet.has(payload['iss'])) {
        throw new SignetError('ERR_CLAIM_INVALID', 'The "iss" claim is not an accepted issuer.');
      }
      if (subjectOf(payload) !== client) {
        throw new SignetError('ERR_CLIENT_KEY_MISMATCH', 'The token\'s "sub" is not the client key in X-Portone-Client-Key.');
      }
      facts.now = settings.now();
      checkTimes(payload, { now: facts.now, toleranceSeconds: settings.toleranceSeconds, maxLifetimeSeconds: maxLifetime });
      return { claims: payload as VerifiedClaims };
    },
  });
}

/** Options of {@link twoCheckoutVerifier}. */
export interface TwoCheckoutVerifierOptions extends Omit<CommonVerifierOptions, 'replay'> {
  /** The merchant code every token's `sub` must equal. */
  merchantCode: string;
  /** The Buy-link Secret Word, the HS512 secret. */
  secretWord: string | Uint8Array | KeyObject | CryptoKey;
  /** The longest `exp - iat` accepted; a token without `exp` lives 30 minutes, as 2Checkout defines. @default 1800 */
  maxLifetimeSeconds?: number;
}

/**
 * Verifies 2Checkout's merchant token: the `merchant-token` header is HS512 with the Buy-link Secret Word, its
 * `sub` is the merchant code, its `iat` is now, and its `exp` (or `iat` + 30 minutes when absent) not passed.
 *
 * @example
 * ```ts
 * const verifier = twoCheckoutVerifier({ merchantCode: 'MERCH_CODE', secretWord: process.env.BUY_LINK_SECRET! });
 * ```
 */
export function twoCheckoutVerifier(options: TwoCheckoutVerifierOptions): Verifier {
  refuseReplay(options, 'twoCheckoutVerifier');
  const own = readOptions<TwoCheckoutVerifierOptions>(options, 'twoCheckoutVerifier', TWO_CHECKOUT_OPTIONS, 'merchantCode and secretWord');
  const { merchantCode, maxLifetimeSeconds = 1800 } = own;
  const settings = commonSettings(own);
  const maxLifetime = checkMaxLifetime(maxLifetimeSeconds);
  assertHeaderSafeString(merchantCode, 'merchantCode');
  const secret = secretKeyFrom(own.secretWord, 'secretWord');
  const algorithms = new Set(['HS512'] as const);

  return defineVerifier(settings, {
    headers: ['merchant-token'],
    async authenticate(head, facts) {
      const token = headerValue(head.headers, 'merchant-token');
      if (token === undefined || !/^[\x21-\x7e]+$/.test(token)) {
        throw new SignetError('ERR_TOKEN_MISSING', 'The request carries no merchant-token header.');
      }
      const { payload } = await verifyJws(token, algorithms, () => secret, recordDecoded(facts));
      if (subjectOf(payload) !== merchantCode) {
        throw new SignetError('ERR_CLAIM_INVALID', 'The token\'s "sub" is not the merchant code.');
      }
      facts.now = settings.now();
      checkTimes(payload, { now: facts.now, toleranceSeconds: settings.toleranceSeconds, maxLifetimeSeconds: maxLifetime, defaultLifetimeSeconds: 1800 });
      return { claims: payload as VerifiedClaims };
    },
  });
}
