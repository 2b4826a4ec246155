import { type JwsAlgorithm, SignetError } from '@signet/core';
import { readOptions } from '@signet/internal';
import { bearerToken, checkTimes, headerValue, subjectOf } from '../claims.js';
import { COMMON_OPTIONS, checkMaxLifetime, commonSettings } from '../common.js';
import { recordDecoded } from '../explain.js';
import { verifyJws } from '../jws.js';
import { type PublicKeyInput, loadPublicKey } from '../keys.js';
import type { CommonVerifierOptions } from '../options.js';
import { claimOnce, replayIdentity } from '../replay-claim.js';
import { cachedLookup, checkFixedKey, keyResolver } from '../request-verifier.js';
import type { VerifiedClaims, Verifier } from '../types.js';
import { defineVerifier } from '../verifier.js';

/** Options of {@link coinbaseVerifier}: give `publicKey` or `keyForKeyName`. */
export interface CoinbaseVerifierOptions extends CommonVerifierOptions {
  /** The one public key (P-256 or Ed25519) every token must verify with. */
  publicKey?: PublicKeyInput;
  /** Looks up the public key of the key name in the token's `sub`; `undefined` for an unknown one. */
  keyForKeyName?: (keyName: string) => PublicKeyInput | null | undefined | Promise<PublicKeyInput | null | undefined>;
  /** The host tokens must name in `uri`. @default the request's `Host` header */
  host?: string;
  /** The longest `exp - nbf` accepted. @default 120 */
  maxLifetimeSeconds?: number;
}

const OPTIONS = [...COMMON_OPTIONS, 'publicKey', 'keyForKeyName', 'host', 'maxLifetimeSeconds'] as const;
const ALGORITHMS = new Set<JwsAlgorithm>(['ES256', 'EdDSA']);

/**
 * Verifies Coinbase Developer Platform JWTs, for stand-ins and tests: ES256 or EdDSA only, `kid` equal to `sub`,
 * `iss: 'cdp'`, `nbf`/`exp` (and `iat` when present) within `maxLifetimeSeconds`, and `uri` (or `uris`, as
 * `@coinbase/cdp-sdk` sends it) naming exactly `<METHOD> <host><path>` of the request received. With `replay`,
 * each header `nonce` is accepted once.
 *
 * @example
 * ```ts
 * const verifier = coinbaseVerifier({ keyForKeyName: (name) => keys.get(name), host: 'api.coinbase.com', replay: memoryReplayStore() });
 * ```
 */
export function coinbaseVerifier(options: CoinbaseVerifierOptions): Verifier {
  const own = readOptions<CoinbaseVerifierOptions>(options, 'coinbaseVerifier', OPTIONS, 'publicKey or keyForKeyName');
  const { publicKey, keyForKeyName, host, maxLifetimeSeconds = 120 } = own;
  const settings = commonSettings(own);
  const maxLifetime = checkMaxLifetime(maxLifetimeSeconds);
  if ((publicKey === undefined) === (keyForKeyName === undefined) || (keyForKeyName !== undefined && typeof keyForKeyName !== 'function')) {
    throw new SignetError('ERR_INVALID_OPTION', 'coinbaseVerifier needs exactly one of publicKey or keyForKeyName (a function).');
  }
  if (host !== undefined && (typeof host !== 'string' || host.length === 0)) throw new SignetError('ERR_INVALID_OPTION', 'host must be a host name such as "api.coinbase.com".');
  const fixedKey = publicKey === undefined ? undefined : loadPublicKey(publicKey, 'publicKey');
  if (fixedKey !== undefined) checkFixedKey(fixedKey, ALGORITHMS);
  const lookup = keyForKeyName === undefined ? undefined : cachedLookup(keyForKeyName);
  const { replay } = settings;

  return defineVerifier(settings, {
    headers: ['authorization'],
    async authenticate(head, facts) {
      const keys = keyResolver(fixedKey, lookup);
      let verified;
      try {
        // High S is accepted: Coinbase's own SDK sends it about half the time, and the replay identity is the nonce.
        verified = await verifyJws(bearerToken(head.headers), ALGORITHMS, keys.resolve, recordDecoded(facts), { highS: true });
      } catch (error) {
        if (keys.unknown()) throw new SignetError('ERR_UNKNOWN_KEY', 'No key is known for the token\'s key name ("sub").');
        throw error;
      }
      const { header, payload } = verified;
      const sub = subjectOf(payload);
      if (header['kid'] !== sub) throw new SignetError('ERR_CLAIM_INVALID', 'The token\'s "kid" header is not its "sub" (the key name).');
      if (payload['iss'] !== 'cdp') throw new SignetError('ERR_CLAIM_INVALID', 'The "iss" claim is not "cdp".');
      const now = settings.now();
      facts.now = now;
      // The guide's form has no iat: the token's life then starts at nbf.
      const times = payload['iat'] === undefined ? { ...payload, iat: payload['nbf'] } : payload;
      if (payload['nbf'] === undefined) throw new SignetError('ERR_CLAIM_INVALID', 'The "nbf" claim is missing.');
      const exp = checkTimes(times, { now, toleranceSeconds: settings.toleranceSeconds, maxLifetimeSeconds: maxLifetime });
      const expected = `${head.method.toUpperCase()} ${host ?? headerValue(head.headers, 'host') ?? ''}${head.url.split('?', 1)[0]}`;
      const uris = payload['uris'];
      const uri: unknown = payload['uri'] ?? (Array.isArray(uris) && uris.length === 1 ? uris[0] : undefined);
      if ((payload['uri'] !== undefined && uris !== undefined) || uri !== expected) {
        throw new SignetError('ERR_URI_MISMATCH', 'The token\'s "uri" is not the method, host and path this request was received on.');
      }
      const identity = replay === undefined ? undefined : replayIdentity({ nonce: header['nonce'] }, sub, ['nonce']);
      return {
        claims: { ...payload, iat: times['iat'] } as VerifiedClaims,
        async checkBody() {
          if (replay !== undefined && identity !== undefined) await claimOnce(replay, identity, exp, now, settings.toleranceSeconds);
        },
      };
    },
  });
}
