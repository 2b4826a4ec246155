import { SignetError } from './errors.js';
import { ownValue } from './options.js';

/** The current time in milliseconds since the epoch, as `Date.now` returns it. */
export type Clock = () => number;

/** @internal */
export function checkClock(clock: unknown): Clock {
  if (typeof clock !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', 'clock must be a function returning milliseconds since the epoch.');
  }
  return clock as Clock;
}

/** @internal Whole seconds since the epoch, for `iat`. */
export function nowSeconds(clock: Clock): number {
  const now = clock();
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new SignetError('ERR_INVALID_OPTION', 'clock returned a value that is not a finite number.');
  }
  return Math.floor(now / 1000);
}

/** @internal Checks a clock offset in whole seconds (a day at most either way). */
export function checkOffset(value: unknown, what: string, code: 'ERR_INVALID_OPTION' | 'ERR_INVALID_REQUEST' = 'ERR_INVALID_OPTION'): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > 86_400) {
    throw new SignetError(code, `${what} must be a whole number of seconds between -86400 and 86400.`);
  }
  return value;
}

/**
 * `iat` for a request: the time the transport says to sign at (`request.signingTime`, e.g. the server's clock that
 * `clockSkew: 'auto'` learned), or else the signer's clock shifted by its own `clockOffsetSeconds`.
 * @internal
 */
export function issuedAt(clock: Clock, offsetSeconds: number, request?: { signingTime?: number | undefined }): number {
  const signingTime = ownValue(request, 'signingTime');
  if (signingTime === undefined) return nowSeconds(clock) + offsetSeconds;
  if (typeof signingTime !== 'number' || !Number.isFinite(signingTime) || signingTime < 0) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.signingTime must be the time to sign at, in milliseconds since the epoch (e.g. Date.now()).');
  }
  return Math.floor(signingTime / 1000);
}
