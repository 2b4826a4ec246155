import type { KeyObject } from 'node:crypto';
import { SignetError } from '@signet/core';
import { assertHeaderSafeString, loadHmacSecret } from '@signet/core/internal';
import { bearerToken, checkTimes, headerValue, subjectOf } from './claims.js';
import { checkMaxLifetime, checkVerifierOptions, commonSettings } from './common.js';
import { verifyJws } from './jws.js';
import type { CommonVerifierOptions } from './options.js';
import { claimOnce, replayId } from './replay-claim.js';
import type { VerifiableRequest, VerifiedClaims, Verifier } from './types.js';

/** Options of {@link portOneVerifier}: give `clientKey` or `clientKeys`. */
export interface PortOneVerifierOptions extends CommonVerifierOptions {
  /** The one accepted PortOne client key. */
  clientKey?: string;
  /** The accepted PortOne client keys (all signing with `secretKey`). */
  clientKeys?: readonly string[];
  /** The HS256 secret. */
  secretKey: string | Buffer | KeyObject;
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
  checkVerifierOptions(options, 'portOneVerifier', 'clientKey (or clientKeys) and secretKey');
  const { clientKey, clientKeys, issuers = ['PORTONE'], maxLifetimeSeconds = 100 } = options;
  const settings = commonSettings(options);
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
  const secret = loadHmacSecret(options.secretKey, 'secretKey');
  const algorithms = new Set(['HS256'] as const);

  return {
    headers: ['authorization', 'x-portone-client-key'],
    async verify(request: VerifiableRequest): Promise<VerifiedClaims> {
      const client = headerValue(request.headers, 'x-portone-client-key');
      if (client === undefined || !clientKeySet.has(client)) {
        throw new SignetError('ERR_CLIENT_KEY_MISMATCH', 'The X-Portone-Client-Key header is missing or names an unknown client key.');
      }
      const { payload, signature } = await verifyJws(bearerToken(request.headers), algorithms, () => secret);
      if (typeof payload['iss'] !== 'string' || !issuerSet.has(payload['iss'])) {
        throw new SignetError('ERR_CLAIM_INVALID', 'The "iss" claim is not an accepted issuer.');
      }
      if (subjectOf(payload) !== client) {
        throw new SignetError('ERR_CLIENT_KEY_MISMATCH', 'The token\'s "sub" is not the client key in X-Portone-Client-Key.');
      }
      const now = settings.now();
      const exp = checkTimes(payload, { now, toleranceSeconds: settings.toleranceSeconds, maxLifetimeSeconds: maxLifetime });
      await claimOnce(settings.replay, replayId(payload, signature, client), exp, now, settings.toleranceSeconds);
      return payload;
    },
  };
}

/** Options of {@link twoCheckoutVerifier}. */
export interface TwoCheckoutVerifierOptions extends CommonVerifierOptions {
  /** The merchant code every token's `sub` must equal. */
  merchantCode: string;
  /** The Buy-link Secret Word, the HS512 secret. */
  secretWord: string | Buffer | KeyObject;
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
  checkVerifierOptions(options, 'twoCheckoutVerifier', 'merchantCode and secretWord');
  const { merchantCode, maxLifetimeSeconds = 1800 } = options;
  const settings = commonSettings(options);
  const maxLifetime = checkMaxLifetime(maxLifetimeSeconds);
  assertHeaderSafeString(merchantCode, 'merchantCode');
  const secret = loadHmacSecret(options.secretWord, 'secretWord');
  const algorithms = new Set(['HS512'] as const);

  return {
    headers: ['merchant-token'],
    async verify(request: VerifiableRequest): Promise<VerifiedClaims> {
      const token = headerValue(request.headers, 'merchant-token');
      if (token === undefined || !/^[\x21-\x7e]+$/.test(token)) {
        throw new SignetError('ERR_TOKEN_MISSING', 'The request carries no merchant-token header.');
      }
      const { payload, signature } = await verifyJws(token, algorithms, () => secret);
      if (subjectOf(payload) !== merchantCode) {
        throw new SignetError('ERR_CLAIM_INVALID', 'The token\'s "sub" is not the merchant code.');
      }
      const now = settings.now();
      const exp = checkTimes(payload, { now, toleranceSeconds: settings.toleranceSeconds, maxLifetimeSeconds: maxLifetime, defaultLifetimeSeconds: 1800 });
      await claimOnce(settings.replay, replayId(payload, signature, merchantCode), exp, now, settings.toleranceSeconds);
      return payload;
    },
  };
}
