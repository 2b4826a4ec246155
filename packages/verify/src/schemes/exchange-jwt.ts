import type { KeyObject } from 'node:crypto';
import { type JwsAlgorithm, SignetError } from '@signet/core';
import { type QueryHashForm, queryHash, randomBytes, requestParams } from '@signet/internal';
import { bearerToken } from '../claims.js';
import type { CommonSettings } from '../common.js';
import { recordDecoded } from '../explain.js';
import { verifyJws } from '../jws.js';
import { type VerifyKey, secretKeyFrom } from '../platform/crypto.js';
import { claimOnce, replayIdentity } from '../replay-claim.js';
import type { VerifiedClaims, Verifier } from '../types.js';
import { defineVerifier } from '../verifier.js';

/** The secret of one access key, or of many. */
export type ExchangeSecretInput = string | Uint8Array | KeyObject | CryptoKey;

/** @internal What Upbit's and Bithumb's verifiers share. */
export interface ExchangeVerifierSettings {
  fn: string;
  accessKey: unknown;
  secretKey: unknown;
  secretForAccessKey: unknown;
  algorithms: unknown;
  form: QueryHashForm;
  /** Bithumb: the `timestamp` claim (ms) must be at most this old; its end is the replay record's lifetime. */
  maxAgeSeconds?: number;
  /** Upbit: its tokens carry no time, so a nonce is remembered this long. */
  nonceTtlSeconds?: number;
}

const ACCESS_KEY = /^[\x21-\x7e]{1,256}$/;
// An unknown access key is checked against a secret nobody holds: its refusal looks like a bad signature.
// Made on first use, not at import: some runtimes (workerd) refuse random values in a module's global scope.
let decoy: VerifyKey | undefined;
const decoySecret = (): VerifyKey => (decoy ??= secretKeyFrom(randomBytes(64), 'The decoy secret'));

/**
 * Verifies the exchange JWT of Upbit and Bithumb in RFC 8725's order (structure, algorithm allow-list, key,
 * signature, then claims): `access_key` names a known key, `nonce` is present (and, with `replay`, new), Bithumb's
 * `timestamp` is recent, and `query_hash` is the SHA-512 of the parameters received (query or body), rendered as
 * the provider does, or absent when there are none.
 * @internal
 */
export function exchangeJwtVerifier(common: CommonSettings, settings: ExchangeVerifierSettings): Verifier {
  const { form, maxAgeSeconds, nonceTtlSeconds } = settings;
  const algorithms = checkAlgorithms(settings.algorithms);
  const secretOf = secretSource(settings);
  const { replay } = common;

  return defineVerifier(common, {
    headers: ['authorization'],
    async authenticate(head, facts) {
      let unknown = false;
      const { payload } = await verifyJws(
        bearerToken(head.headers),
        algorithms,
        async (_header, claims) => {
          const found = await secretOf(accessKeyOf(claims));
          unknown = found === undefined;
          return found ?? decoySecret();
        },
        recordDecoded(facts),
      ).catch((error: unknown) => {
        if (unknown) throw new SignetError('ERR_UNKNOWN_KEY', 'No secret is known for the token\'s "access_key".');
        throw error;
      });
      const accessKey = accessKeyOf(payload);
      const now = common.now();
      facts.now = now;
      const identity = replayIdentity(payload, accessKey, ['nonce']);
      let exp = now + (nonceTtlSeconds ?? 0);
      if (maxAgeSeconds !== undefined) exp = checkTimestamp(payload['timestamp'], common, maxAgeSeconds);
      return {
        claims: payload as VerifiedClaims,
        async checkBody(body) {
          checkQueryHash(payload, requestParams(head.url, body, form));
          if (replay !== undefined) await claimOnce(replay, identity, exp, now, common.toleranceSeconds);
        },
      };
    },
  });
}

function accessKeyOf(claims: Record<string, unknown>): string {
  const value = claims['access_key'];
  if (typeof value !== 'string' || !ACCESS_KEY.test(value)) throw new SignetError('ERR_CLAIM_INVALID', 'The "access_key" claim must be 1 to 256 visible ASCII characters.');
  return value;
}

/** Bithumb's `timestamp`: whole milliseconds, no older than `maxAgeSeconds`, not in the future. Returns the replay record's end (s). */
function checkTimestamp(value: unknown, common: CommonSettings, maxAgeSeconds: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new SignetError('ERR_CLAIM_INVALID', 'The "timestamp" claim must be whole milliseconds since the epoch.');
  }
  const issued = Math.floor(value / 1000);
  const now = common.now();
  if (issued > now + common.toleranceSeconds) throw new SignetError('ERR_TOKEN_FUTURE', 'The token\'s "timestamp" lies in the future: check the signer\'s clock.');
  if (now - issued > maxAgeSeconds + common.toleranceSeconds) throw new SignetError('ERR_TOKEN_EXPIRED', `The token's "timestamp" is more than ${maxAgeSeconds} seconds old.`);
  return issued + maxAgeSeconds;
}

function checkQueryHash(payload: Record<string, unknown>, params: { source: string; hashInput: string | undefined }): void {
  const claimed = payload['query_hash'];
  const alg = payload['query_hash_alg'];
  const code = params.source === 'body' ? 'ERR_BODY_HASH_MISMATCH' : 'ERR_URI_MISMATCH';
  if (params.hashInput === undefined) {
    if (claimed !== undefined) throw new SignetError('ERR_URI_MISMATCH', 'The token carries a "query_hash" but the request has no parameters.');
    return;
  }
  if (claimed === undefined) throw new SignetError(code, `The request has parameters in its ${params.source} but the token carries no "query_hash".`);
  if (alg !== undefined && alg !== 'SHA512') throw new SignetError('ERR_CLAIM_INVALID', 'The "query_hash_alg" claim is not "SHA512".');
  if (claimed !== queryHash(params.hashInput)) {
    throw new SignetError(code, `The token's "query_hash" is not the SHA-512 of the parameters in the request's ${params.source}.`);
  }
}

function checkAlgorithms(value: unknown): ReadonlySet<JwsAlgorithm> {
  const list = value === undefined ? ['HS256', 'HS512'] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((alg) => alg === 'HS256' || alg === 'HS512')) {
    throw new SignetError('ERR_INVALID_OPTION', "algorithms must be a non-empty list of 'HS256' and 'HS512'.");
  }
  return new Set(list as JwsAlgorithm[]);
}

function secretSource(settings: ExchangeVerifierSettings): (accessKey: string) => Promise<VerifyKey | undefined> {
  const { fn, accessKey, secretKey, secretForAccessKey } = settings;
  if (secretForAccessKey !== undefined) {
    if (typeof secretForAccessKey !== 'function' || accessKey !== undefined || secretKey !== undefined) {
      throw new SignetError('ERR_INVALID_OPTION', `${fn} needs either accessKey and secretKey, or secretForAccessKey (a function), not both.`);
    }
    return async (key) => {
      let found: unknown;
      try {
        found = await (secretForAccessKey as (key: string) => unknown)(key);
      } catch {
        throw new SignetError('ERR_KEY_LOOKUP_FAILED', 'secretForAccessKey failed; the request is refused. Check the key store this API reads.');
      }
      return found === undefined || found === null ? undefined : secretKeyFrom(found, 'The secret for this access key');
    };
  }
  if (typeof accessKey !== 'string' || !ACCESS_KEY.test(accessKey)) {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs accessKey (1 to 256 visible ASCII characters) and secretKey, or secretForAccessKey.`);
  }
  const secret = secretKeyFrom(secretKey, 'secretKey');
  return (key) => Promise.resolve(key === accessKey ? secret : undefined);
}
