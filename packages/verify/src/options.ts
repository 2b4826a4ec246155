import type { RejectHook } from './explain.js';
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
  /**
   * Accept each token once: a {@link ReplayStore} (`memoryReplayStore()`, `redisReplayStore()`). Tokens must then
   * carry a unique `nonce` or `jti` (sign with `nonce: true`); one without is `ERR_NONCE_REQUIRED`. Only
   * `requestVerifier` takes it.
   * @default undefined
   */
  replay?: ReplayStore;
  /**
   * Told of every refusal with its precise reason and a secret-free explanation (which check failed, the token's
   * `uri` next to the target received, body length and hash next to `bodyHash`, the clock difference), for the
   * server's logs. The client only ever sees the public code. A hook that throws is ignored.
   * @default undefined
   */
  onReject?: RejectHook;
}

/** @internal */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
