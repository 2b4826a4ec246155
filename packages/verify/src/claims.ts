import { SignetError } from '@signet/core';

/** @internal What a scheme demands of the time claims. */
export interface TimePolicy {
  now: number;
  toleranceSeconds: number;
  maxLifetimeSeconds: number;
  /** When the token has no `exp`: the lifetime the provider applies (2Checkout: 30 minutes); else `exp` is required. */
  defaultLifetimeSeconds?: number;
}

/**
 * Checks `iat`, `exp` and `nbf` (integers only, RFC 7519 NumericDate without fractions) after the signature has
 * been verified. Returns the effective `exp`.
 * @internal
 */
export function checkTimes(payload: Record<string, unknown>, policy: TimePolicy): number {
  const iat = integerClaim(payload, 'iat', true) as number;
  const given = integerClaim(payload, 'exp', policy.defaultLifetimeSeconds === undefined);
  const exp = given ?? iat + (policy.defaultLifetimeSeconds as number);
  const nbf = integerClaim(payload, 'nbf', false);
  const { now, toleranceSeconds } = policy;
  if (exp <= iat) throw new SignetError('ERR_CLAIM_INVALID', 'The token expires before it is issued ("exp" <= "iat").');
  if (now - toleranceSeconds >= exp) throw new SignetError('ERR_TOKEN_EXPIRED', 'The token has expired.');
  if (iat > now + toleranceSeconds || (nbf !== undefined && nbf > now + toleranceSeconds)) {
    throw new SignetError('ERR_TOKEN_FUTURE', "The token is issued in the future: check the signer's clock.");
  }
  if (exp - iat > policy.maxLifetimeSeconds) {
    throw new SignetError('ERR_TOKEN_LIFETIME', `The token lives longer than ${policy.maxLifetimeSeconds} seconds.`);
  }
  return exp;
}

function integerClaim(payload: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new SignetError('ERR_CLAIM_INVALID', `The "${name}" claim must be a whole number of seconds since the epoch.`);
  }
  return value;
}

const SUBJECT = /^[\x21-\x7e]{1,256}$/;

/** @internal A `sub` fit to be looked up or compared: 1-256 visible ASCII characters. */
export function subjectOf(payload: Record<string, unknown>): string {
  const sub = payload['sub'];
  if (typeof sub !== 'string' || !SUBJECT.test(sub)) {
    throw new SignetError('ERR_CLAIM_INVALID', 'The "sub" claim must be 1 to 256 visible ASCII characters.');
  }
  return sub;
}

/** @internal The single value of a header, matched case-insensitively; `undefined` when absent or repeated. */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (Array.isArray(value) || found !== undefined) return undefined;
    found = value;
  }
  return found;
}

/** @internal The token of `Authorization: Bearer <token>`. */
export function bearerToken(headers: Record<string, string | string[] | undefined>): string {
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(headerValue(headers, 'authorization') ?? '');
  if (!match) throw new SignetError('ERR_TOKEN_MISSING', 'The request carries no "Authorization: Bearer <token>" header.');
  return match[1] as string;
}
