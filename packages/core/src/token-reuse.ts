import { SignetError } from './errors.js';
import { assertPositiveInteger } from './validate.js';

/**
 * Hands out tokens minted by `mintAt(iat)`. Without `reuseWithinSeconds`, every call mints a fresh one. With it, a
 * token is reused until it is `reuseWithinSeconds` from its `exp`; callers that arrive while one is being minted
 * share that one, and a failed mint is never cached.
 * @internal
 */
export function tokenSource(mintAt: (iat: number) => Promise<string>, lifetimeSeconds: number | undefined, reuseWithinSeconds: number | undefined): (iat: number) => Promise<string> {
  if (reuseWithinSeconds === undefined) return mintAt;
  assertPositiveInteger(reuseWithinSeconds, 'reuseWithinSeconds');
  if (lifetimeSeconds === undefined) {
    throw new SignetError('ERR_INVALID_OPTION', 'reuseWithinSeconds needs tokens that expire: set expiresInSeconds.');
  }
  if (reuseWithinSeconds >= lifetimeSeconds) {
    throw new SignetError('ERR_INVALID_OPTION', 'reuseWithinSeconds must be less than expiresInSeconds, or no token could ever be reused.');
  }
  let cached: { token: Promise<string>; exp: number } | undefined;
  return (iat) => {
    if (cached !== undefined && cached.exp - iat > reuseWithinSeconds && iat >= cached.exp - lifetimeSeconds) return cached.token;
    const entry = { token: mintAt(iat), exp: iat + lifetimeSeconds };
    cached = entry;
    entry.token.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return entry.token;
  };
}
