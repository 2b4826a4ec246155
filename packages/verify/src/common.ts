import { SignetError } from '@signet/core';
import { checkClock, nowSeconds } from '@signet/core/internal';
import { type CommonVerifierOptions, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './options.js';
import type { ReplayStore } from './replay.js';

/** @internal The checked common options. */
export interface CommonSettings {
  toleranceSeconds: number;
  now: () => number;
  replay: ReplayStore | undefined;
}

/** @internal */
export function commonSettings(options: CommonVerifierOptions): CommonSettings {
  const { clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS, clock = Date.now, replay } = options;
  if (typeof clockToleranceSeconds !== 'number' || !Number.isSafeInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 600) {
    throw new SignetError('ERR_INVALID_OPTION', 'clockToleranceSeconds must be a whole number of seconds from 0 to 600.');
  }
  if (replay !== undefined && typeof replay?.claim !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', 'replay must be a ReplayStore (memoryReplayStore() or redisReplayStore()).');
  }
  const readClock = checkClock(clock);
  return { toleranceSeconds: clockToleranceSeconds, now: () => nowSeconds(readClock), replay };
}

/** @internal */
export function checkMaxLifetime(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'maxLifetimeSeconds must be a positive whole number of seconds.');
  }
  return value;
}

/** @internal */
export function checkVerifierOptions(options: unknown, fn: string, required: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs an options object with ${required}.`);
  }
}
