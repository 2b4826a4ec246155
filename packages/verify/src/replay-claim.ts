import { SignetError } from '@signet/core';
import { sha256Hex } from '@signet/internal';
import type { ReplayStore } from './replay.js';

/** @internal A token's replay identity: its subject and its own unique identifier. */
export interface ReplayIdentity {
  id: string;
  scope: string;
}

/**
 * The token's identity for the replay store: `(sub, jti)` or `(sub, nonce)` (or only the claims in `names`; whole numbers too with `wholeNumbers`). A token without either cannot be told
 * apart from an identical legitimate one (deterministic RS256 over whole-second `iat`), and its signature is no
 * identity (ECDSA signatures are malleable), so it is refused. The parts are JSON-encoded before hashing, so no
 * `sub` or nonce, whatever characters it holds, can stand for another pair; the hash keeps store keys short.
 * @internal
 */
export function replayIdentity(payload: Record<string, unknown>, sub: string, names: readonly string[] = ['jti', 'nonce'], wholeNumbers = false): ReplayIdentity {
  for (const name of names) {
    const value = payload[name];
    // Fireblocks documents its nonce as a "unique number or string": there (`wholeNumbers`) a whole number serves too.
    const usable = (typeof value === 'string' && value.length > 0 && value.length <= 256) || (wholeNumbers && typeof value === 'number' && Number.isSafeInteger(value));
    if (usable) return { id: sha256Hex(JSON.stringify([sub, name, value])), scope: sub };
  }
  throw new SignetError('ERR_NONCE_REQUIRED', 'This API refuses replays, so every token must carry a unique "nonce" (or "jti") claim of 1 to 256 characters: sign with nonce: true.');
}

/**
 * Records the token, or rejects a replay. A store that fails or does not answer refuses the request
 * (`ERR_REPLAY_STORE_UNAVAILABLE`), never accepts it; its own error is not passed on, as it may name the store's
 * address or credentials.
 * @internal
 */
export async function claimOnce(store: ReplayStore, identity: ReplayIdentity, exp: number, now: number, toleranceSeconds: number): Promise<void> {
  let fresh: boolean;
  try {
    fresh = await store.claim(identity.id, Math.max(1, exp + toleranceSeconds - now), identity.scope);
  } catch (error) {
    if (error instanceof SignetError) throw error;
    throw new SignetError('ERR_REPLAY_STORE_UNAVAILABLE', 'The replay store did not answer; the request is refused rather than accepted unchecked.');
  }
  if (fresh !== true) throw new SignetError('ERR_TOKEN_REPLAYED', 'The token was already used once.');
}
