import { SignetError } from '@signet/core';
import { sha256Hex } from '@signet/core/internal';
import type { ReplayStore } from './replay.js';

/** @internal Records the token, or rejects a replay. */
export async function claimOnce(store: ReplayStore | undefined, id: string, exp: number, now: number, toleranceSeconds: number): Promise<void> {
  if (store === undefined) return;
  const fresh = await store.claim(id, Math.max(1, exp + toleranceSeconds - now));
  if (!fresh) throw new SignetError('ERR_TOKEN_REPLAYED', 'The token was already used once.');
}

/**
 * The token's own identifier (`jti` or `nonce`, scoped to its subject) when it has one, else its signature. The
 * parts are JSON-encoded before hashing, so no `sub` or nonce, whatever characters it holds, can stand for another
 * pair; the hash keeps store keys short.
 * @internal
 */
export function replayId(payload: Record<string, unknown>, signature: string, scope: string): string {
  for (const name of ['jti', 'nonce']) {
    const value = payload[name];
    if (typeof value === 'string' && value.length > 0 && value.length <= 256) return sha256Hex(JSON.stringify([scope, name, value]));
  }
  return sha256Hex(JSON.stringify(['sig', signature]));
}
