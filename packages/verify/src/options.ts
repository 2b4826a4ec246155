import type { ReplayStore } from './replay.js';

/** Options every verifier takes. */
export interface CommonVerifierOptions {
  /**
   * How far the signer's clock may be off, in seconds, for `iat`, `nbf` and `exp`.
   * @default 5
   */
  clockToleranceSeconds?: number;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number;
  /** Accept each token once: a {@link ReplayStore} (`memoryReplayStore()`, `redisReplayStore()`). @default undefined */
  replay?: ReplayStore;
}

/** @internal */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
