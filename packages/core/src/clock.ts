import { SignetError } from './errors.js';

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
