import { Buffer } from 'node:buffer';
import { type KeyObject, createHash, timingSafeEqual } from 'node:crypto';
import { type JwsAlgorithm, SignetError } from '@signet/core';
import { ALGORITHMS, sha256Hex } from '@signet/core/internal';
import { bearerToken, checkTimes, subjectOf } from './claims.js';
import { checkMaxLifetime, checkVerifierOptions, commonSettings } from './common.js';
import { keyFits, verifyJws } from './jws.js';
import { type PublicKeyInput, loadPublicKey } from './keys.js';
import type { CommonVerifierOptions } from './options.js';
import { claimOnce, replayId } from './replay-claim.js';
import type { VerifiableRequest, VerifiedClaims, Verifier } from './types.js';

/** Options of {@link requestVerifier}: give `publicKey` or `keyForApiKey`. */
export interface RequestVerifierOptions extends CommonVerifierOptions {
  /** The one public key every token must verify with (PEM, certificate, DER SPKI or KeyObject). */
  publicKey?: PublicKeyInput;
  /**
   * Looks up the public key of the API key in the token's `sub` (validated first: 1-256 visible ASCII characters).
   * Return `undefined` for an unknown key. PEM strings returned are parsed once and cached.
   */
  keyForApiKey?: (apiKey: string) => PublicKeyInput | null | undefined | Promise<PublicKeyInput | null | undefined>;
  /** Accepted algorithms: asymmetric ones only. @default ['RS256'] */
  algorithms?: readonly JwsAlgorithm[];
  /** The longest `exp - iat` accepted. @default 55 */
  maxLifetimeSeconds?: number;
  /** The bytes a bodiless request's `bodyHash` covers. @default '{}' */
  emptyBody?: string | Uint8Array;
}

/**
 * Verifies the per-request RS256 scheme: the bearer token's signature (before anything else), its times (at most
 * `maxLifetimeSeconds` of life, not expired, not issued in the future), `uri` against the path + query the request
 * was received on and `bodyHash` against the SHA-256 of the body bytes received.
 *
 * @example
 * ```ts
 * const verifier = requestVerifier({ keyForApiKey: (apiKey) => db.publicKeyOf(apiKey), replay: memoryReplayStore() });
 * const claims = await verifier.verify({ method: req.method, url: req.url, headers: req.headers, body: rawBody });
 * ```
 */
export function requestVerifier(options: RequestVerifierOptions): Verifier {
  checkVerifierOptions(options, 'requestVerifier', 'publicKey or keyForApiKey');
  const { publicKey, keyForApiKey, algorithms = ['RS256'], maxLifetimeSeconds = 55, emptyBody = '{}' } = options;
  const settings = commonSettings(options);
  const maxLifetime = checkMaxLifetime(maxLifetimeSeconds);
  if ((publicKey === undefined) === (keyForApiKey === undefined) || (keyForApiKey !== undefined && typeof keyForApiKey !== 'function')) {
    throw new SignetError('ERR_INVALID_OPTION', 'requestVerifier needs exactly one of publicKey or keyForApiKey (a function).');
  }
  const allowed = allowList(algorithms);
  if (typeof emptyBody !== 'string' && !(emptyBody instanceof Uint8Array)) {
    throw new SignetError('ERR_INVALID_OPTION', 'emptyBody must be a string or a Uint8Array.');
  }
  const emptyBodyHash = Buffer.from(sha256Hex(emptyBody), 'latin1');
  const fixedKey = publicKey === undefined ? undefined : loadPublicKey(publicKey, 'publicKey');
  if (fixedKey !== undefined) checkFixedKey(fixedKey, allowed);
  const lookup = keyForApiKey === undefined ? undefined : cachedLookup(keyForApiKey);

  return {
    headers: ['authorization'],
    async verify(request: VerifiableRequest): Promise<VerifiedClaims> {
      const token = bearerToken(request.headers);
      const { payload, signature } = await verifyJws(token, allowed, (_header, claims) => fixedKey ?? (lookup as (sub: string) => Promise<KeyObject>)(subjectOf(claims)));
      const sub = subjectOf(payload);
      const now = settings.now();
      const exp = checkTimes(payload, { now, toleranceSeconds: settings.toleranceSeconds, maxLifetimeSeconds: maxLifetime });
      if (typeof payload['uri'] !== 'string' || payload['uri'] !== request.url) {
        throw new SignetError('ERR_URI_MISMATCH', 'The token was not issued for the path and query this request was received on.');
      }
      const claimed = payload['bodyHash'];
      if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/.test(claimed)) {
        throw new SignetError('ERR_CLAIM_INVALID', 'The "bodyHash" claim must be 64 lowercase hex characters.');
      }
      const body = request.body;
      const actual = body === undefined || body.byteLength === 0 ? emptyBodyHash : Buffer.from(createHash('sha256').update(body).digest('hex'), 'latin1');
      if (!timingSafeEqual(actual, Buffer.from(claimed, 'latin1'))) {
        throw new SignetError('ERR_BODY_HASH_MISMATCH', 'The token was not issued for the body this request carries.');
      }
      await claimOnce(settings.replay, replayId(payload, signature, sub), exp, now, settings.toleranceSeconds);
      return payload;
    },
  };
}

function allowList(algorithms: unknown): ReadonlySet<JwsAlgorithm> {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'algorithms must be a non-empty list.');
  }
  for (const alg of algorithms) {
    if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg) || ALGORITHMS[alg as JwsAlgorithm].family === 'hmac') {
      throw new SignetError('ERR_INVALID_OPTION', 'algorithms may hold only RS256, RS384, RS512, PS256, ES256, ES384 and EdDSA here.');
    }
  }
  return new Set(algorithms as JwsAlgorithm[]);
}

/** A fixed key that could never verify is a configuration error: say so now, not at the first request. */
function checkFixedKey(key: KeyObject, allowed: ReadonlySet<JwsAlgorithm>): void {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if ((key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') && bits !== undefined && bits < 2048) {
    throw new SignetError('ERR_KEY_TOO_SMALL', `publicKey is a ${bits}-bit RSA key; at least 2048 bits are required.`);
  }
  if (![...allowed].some((alg) => keyFits(key, alg))) {
    throw new SignetError('ERR_KEY_TYPE', `publicKey is an ${key.asymmetricKeyType ?? 'unknown'} key, which none of the allowed algorithms (${[...allowed].join(', ')}) uses.`);
  }
}

const CACHE_LIMIT = 1024;

function cachedLookup(keyForApiKey: NonNullable<RequestVerifierOptions['keyForApiKey']>): (sub: string) => Promise<KeyObject> {
  const parsed = new Map<string, KeyObject>();
  return async (sub) => {
    const found = await keyForApiKey(sub);
    if (found === undefined || found === null) throw new SignetError('ERR_UNKNOWN_KEY', 'No key is known for the token\'s API key.');
    if (typeof found !== 'string') return loadPublicKey(found, 'The key for this API key');
    let key = parsed.get(found);
    if (key === undefined) {
      key = loadPublicKey(found, 'The key for this API key');
      if (parsed.size >= CACHE_LIMIT) parsed.clear();
      parsed.set(found, key);
    }
    return key;
  };
}
