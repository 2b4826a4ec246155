import { SignetError } from '@signet/core';
import { checkClock, nowSeconds } from '@signet/internal';
import type { RejectHook } from './explain.js';
import { type CommonVerifierOptions, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './options.js';
import type { ReplayStore } from './replay.js';

/** @internal The names of the options every verifier takes. */
export const COMMON_OPTIONS = ['clockToleranceSeconds', 'clock', 'replay', 'onReject'] as const satisfies readonly (keyof CommonVerifierOptions)[];

/** @internal The checked common options. */
export interface CommonSettings {
  toleranceSeconds: number;
  now: () => number;
  replay: ReplayStore | undefined;
  onReject: RejectHook | undefined;
}

/** @internal `options` as `readOptions` returned it: own properties only. */
export function commonSettings(options: Partial<CommonVerifierOptions> & { replay?: ReplayStore }): CommonSettings {
  const { clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS, clock = Date.now, replay, onReject } = options;
  if (typeof clockToleranceSeconds !== 'number' || !Number.isSafeInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 600) {
    throw new SignetError('ERR_INVALID_OPTION', 'clockToleranceSeconds must be a whole number of seconds from 0 to 600.');
  }
  if (replay !== undefined && typeof replay?.claim !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', 'replay must be a ReplayStore (memoryReplayStore() or redisReplayStore()).');
  }
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', 'onReject must be a function (rejection, request) => void.');
  }
  const readClock = checkClock(clock);
  return { toleranceSeconds: clockToleranceSeconds, now: () => nowSeconds(readClock), replay, onReject };
}

/** @internal */
export function checkMaxLifetime(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'maxLifetimeSeconds must be a positive whole number of seconds.');
  }
  return value;
}

/**
 * Tokens that bind no request (PortOne, 2Checkout) are reusable by design within their lifetime: a replay store
 * would refuse every request but the first of each token, which legitimate clients send many of.
 * @internal
 */
export function refuseReplay(options: unknown, fn: string): void {
  if (typeof options === 'object' && options !== null && Object.hasOwn(options, 'replay')) {
    throw new SignetError(
      'ERR_INVALID_OPTION',
      `${fn} does not take a replay store: these tokens carry no nonce and bind no request, so clients reuse one token for many requests within its lifetime and a store would refuse all but the first. Leave replay out.`,
    );
  }
}
