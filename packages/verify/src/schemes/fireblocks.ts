import { readOptions } from '@signet/internal';
import { COMMON_OPTIONS } from '../common.js';
import type { CommonVerifierOptions } from '../options.js';
import { type RequestVerifierOptions, perRequestVerifier } from '../request-verifier.js';
import type { RequestClaims, Verifier } from '../types.js';

/** Options of {@link fireblocksVerifier}: give `publicKey` or `keyForApiKey`. */
export type FireblocksVerifierOptions = Pick<RequestVerifierOptions, 'publicKey' | 'keyForApiKey' | 'maxLifetimeSeconds' | keyof CommonVerifierOptions>;

const OPTIONS = [...COMMON_OPTIONS, 'publicKey', 'keyForApiKey', 'maxLifetimeSeconds'] as const;

/**
 * Verifies Fireblocks' API authentication, for stand-ins of the Fireblocks API and tests: the per-request RS256
 * scheme of `requestVerifier` with `X-API-Key` required to equal the token's `sub`, a `nonce` required on every
 * token (a string or a whole number, as Fireblocks documents it), and a bodiless request's `bodyHash` taken over
 * the empty string. `maxLifetimeSeconds` defaults to 55, the lifetime Fireblocks' own SDKs give their tokens (its
 * reference asks signers for less than 30 s, which this also accepts). With `replay`, each nonce is accepted once.
 *
 * @example
 * ```ts
 * const verifier = fireblocksVerifier({ keyForApiKey: (apiKey) => users.publicKeyOf(apiKey), replay: memoryReplayStore() });
 * app.use(signetMiddleware(verifier));
 * ```
 */
export function fireblocksVerifier(options: FireblocksVerifierOptions): Verifier<RequestClaims> {
  const own = readOptions<FireblocksVerifierOptions>(options, 'fireblocksVerifier', OPTIONS, 'publicKey or keyForApiKey');
  return perRequestVerifier({ ...own, algorithms: ['RS256'], emptyBody: '', apiKeyHeader: 'X-API-Key' }, 'fireblocksVerifier', true);
}
