import { type JwsAlgorithm, SignetError } from '@signet/core';
import { ALGORITHMS, assertHeaderName, hashBody, keyMisfit, latin1, readOptions, sha256Hex } from '@signet/internal';
import { bearerToken, checkTimes, headerValue, subjectOf } from './claims.js';
import { COMMON_OPTIONS, checkMaxLifetime, commonSettings } from './common.js';
import { decoyKey } from './decoy.js';
import { recordDecoded } from './explain.js';
import { verifyJws } from './jws.js';
import { type PublicKeyInput, loadPublicKey } from './keys.js';
import { type VerifyKey, constantTimeEqual } from './platform/crypto.js';
import type { CommonVerifierOptions } from './options.js';
import { claimOnce, replayIdentity } from './replay-claim.js';
import type { RequestClaims, Verifier } from './types.js';
import { defineVerifier } from './verifier.js';

/** Options of {@link requestVerifier}: give `publicKey` or `keyForApiKey`. */
export interface RequestVerifierOptions extends CommonVerifierOptions {
  /** The one public key every token must verify with (PEM, certificate, DER SPKI, JWK, KeyObject or CryptoKey). */
  publicKey?: PublicKeyInput;
  /**
   * Looks up the public key of the API key in the token's `sub` (validated first: 1-256 visible ASCII characters).
   * Return `undefined` for an unknown key: the client is answered as for a bad signature (`ERR_SIGNATURE_INVALID`,
   * after a check of the same cost), so API keys cannot be enumerated; `onReject` is told `ERR_UNKNOWN_KEY`. A
   * lookup that throws refuses the request with `ERR_KEY_LOOKUP_FAILED` (503). PEM strings returned are parsed once
   * and cached.
   */
  keyForApiKey?: (apiKey: string) => PublicKeyInput | null | undefined | Promise<PublicKeyInput | null | undefined>;
  /** Accepted algorithms: asymmetric ones only. @default ['RS256'] */
  algorithms?: readonly JwsAlgorithm[];
  /** The longest `exp - iat` accepted. @default 55 */
  maxLifetimeSeconds?: number;
  /** The bytes a bodiless request's `bodyHash` covers. @default '{}' */
  emptyBody?: string | Uint8Array;
  /**
   * Require a `method` claim equal to the request's method (signers built with `bindMethod: true`). Without it, a
   * token that carries `method` is still checked against the request; one that does not passes for any method.
   * @default false
   */
  requireMethod?: boolean;
  /**
   * Require this header (e.g. `'X-API-Key'`, as Fireblocks sends it) to equal the token's `sub`: a request whose
   * header names another API key than its token is `ERR_API_KEY_MISMATCH`.
   * @default undefined (not checked)
   */
  apiKeyHeader?: string;
}

const OPTIONS = [...COMMON_OPTIONS, 'publicKey', 'keyForApiKey', 'algorithms', 'maxLifetimeSeconds', 'emptyBody', 'requireMethod', 'apiKeyHeader'] as const;

/**
 * Verifies the per-request scheme. From the request line and headers, before the body is read: the bearer token's
 * signature (before anything else), its times (at most `maxLifetimeSeconds` of life, not expired, not issued in
 * the future), `uri` against the path + query the request was received on, and the bound method and API key when
 * asked. Then `bodyHash` against the SHA-256 of the body bytes received, and last the replay store.
 *
 * @example
 * ```ts
 * const verifier = requestVerifier({
 *   keyForApiKey: (apiKey) => db.publicKeyOf(apiKey),
 *   replay: memoryReplayStore(), // the clients sign with requestSigner({ ..., nonce: true })
 * });
 * const claims = await verifier.verify({ method: req.method, url: req.url, headers: req.headers, body: rawBody });
 * ```
 */
export function requestVerifier(options: RequestVerifierOptions): Verifier<RequestClaims> {
  return perRequestVerifier(readOptions<RequestVerifierOptions>(options, 'requestVerifier', OPTIONS, 'publicKey or keyForApiKey'), 'requestVerifier');
}

/**
 * The per-request scheme's verifier from options already read (own properties only), for `requestVerifier` and
 * the providers that use the same scheme with their own settings (`fireblocksVerifier`). `requireNonce` refuses
 * a token without a `nonce` claim even when there is no replay store (`ERR_NONCE_REQUIRED`).
 * @internal
 */
export function perRequestVerifier(own: Partial<RequestVerifierOptions>, fn: string, requireNonce = false): Verifier<RequestClaims> {
  const { publicKey, keyForApiKey, algorithms = ['RS256'], maxLifetimeSeconds = 55, emptyBody = '{}', requireMethod = false, apiKeyHeader } = own;
  const settings = commonSettings(own);
  const maxLifetime = checkMaxLifetime(maxLifetimeSeconds);
  if ((publicKey === undefined) === (keyForApiKey === undefined) || (keyForApiKey !== undefined && typeof keyForApiKey !== 'function')) {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs exactly one of publicKey or keyForApiKey (a function).`);
  }
  const allowed = allowList(algorithms);
  if (typeof emptyBody !== 'string' && !(emptyBody instanceof Uint8Array)) {
    throw new SignetError('ERR_INVALID_OPTION', 'emptyBody must be a string or a Uint8Array.');
  }
  if (typeof requireMethod !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'requireMethod must be true or false.');
  if (apiKeyHeader !== undefined) assertHeaderName(apiKeyHeader, 'apiKeyHeader');
  const apiKeyHeaderName = apiKeyHeader?.toLowerCase();
  const emptyBodyHash = sha256Hex(emptyBody);
  const fixedKey = publicKey === undefined ? undefined : loadPublicKey(publicKey, 'publicKey');
  if (fixedKey !== undefined) checkFixedKey(fixedKey, allowed);
  const lookup = keyForApiKey === undefined ? undefined : cachedLookup(keyForApiKey);
  const { replay } = settings;

  return defineVerifier<RequestClaims>(settings, {
    headers: apiKeyHeaderName === undefined ? ['authorization'] : ['authorization', apiKeyHeaderName],
    async authenticate(head, facts) {
      const token = bearerToken(head.headers);
      const keys = keyResolver(fixedKey, lookup);
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await verifyJws(token, allowed, keys.resolve, recordDecoded(facts)));
      } catch (error) {
        if (keys.unknown()) throw new SignetError('ERR_UNKNOWN_KEY', 'No key is known for the token\'s API key ("sub").');
        throw error;
      }
      const sub = subjectOf(payload);
      const now = settings.now();
      facts.now = now;
      const exp = checkTimes(payload, { now, toleranceSeconds: settings.toleranceSeconds, maxLifetimeSeconds: maxLifetime });
      if (typeof payload['uri'] !== 'string' || payload['uri'] !== head.url) {
        throw new SignetError('ERR_URI_MISMATCH', 'The token was not issued for the path and query this request was received on.');
      }
      checkMethod(payload, head.method, requireMethod);
      if (apiKeyHeaderName !== undefined && headerValue(head.headers, apiKeyHeaderName) !== sub) {
        throw new SignetError('ERR_API_KEY_MISMATCH', `The ${apiKeyHeader} header is missing or names another API key than the token's "sub".`);
      }
      const claimed = payload['bodyHash'];
      if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/.test(claimed)) {
        throw new SignetError('ERR_CLAIM_INVALID', 'The "bodyHash" claim must be 64 lowercase hex characters.');
      }
      const identity = replay === undefined && !requireNonce ? undefined : requireNonce ? replayIdentity(payload, sub, ['nonce'], true) : replayIdentity(payload, sub);
      return {
        claims: payload as RequestClaims,
        async checkBody(body) {
          const digest = hashBody(body, emptyBodyHash);
          const actual = latin1(typeof digest === 'string' ? digest : await digest);
          if (!constantTimeEqual(actual, latin1(claimed))) {
            throw new SignetError('ERR_BODY_HASH_MISMATCH', 'The token was not issued for the body this request carries.');
          }
          if (replay !== undefined && identity !== undefined) await claimOnce(replay, identity, exp, now, settings.toleranceSeconds);
        },
      };
    },
  });
}

function checkMethod(payload: Record<string, unknown>, received: string, required: boolean): void {
  const claimed = payload['method'];
  if (claimed === undefined && !required) return;
  if (typeof claimed !== 'string' || claimed !== received.toUpperCase()) {
    throw new SignetError('ERR_METHOD_MISMATCH', claimed === undefined ? 'The token carries no "method" claim, which this API requires (sign with bindMethod: true).' : 'The token was issued for another HTTP method.');
  }
}

/** @internal The checked `algorithms` option: a non-empty list of asymmetric algorithms. */
export function allowList(algorithms: unknown): ReadonlySet<JwsAlgorithm> {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'algorithms must be a non-empty list.');
  }
  for (const alg of algorithms) {
    if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg) || ALGORITHMS[alg as JwsAlgorithm].family === 'hmac') {
      throw new SignetError('ERR_INVALID_OPTION', 'algorithms may hold only RS256, RS384, RS512, PS256, ES256, ES384, ES512 and EdDSA here.');
    }
  }
  return new Set(algorithms as JwsAlgorithm[]);
}

/** A fixed key that could never verify is a configuration error: say so now, not at the first request. */
/**
 * The key of a token: the fixed key, or the one looked up for its `sub`; for an unknown `sub`, a decoy of the same
 * family, so that the refusal costs what a bad signature costs (`unknown()` then says so, for `ERR_UNKNOWN_KEY`).
 * @internal
 */
export function keyResolver(
  fixedKey: VerifyKey | undefined,
  lookup: ((sub: string) => Promise<VerifyKey | undefined>) | undefined,
): { resolve: (header: Record<string, unknown>, claims: Record<string, unknown>) => Promise<VerifyKey>; unknown: () => boolean } {
  let unknownKey = false;
  return {
    unknown: () => unknownKey,
    async resolve(header, claims) {
      if (fixedKey !== undefined) return fixedKey;
      const found = await (lookup as (sub: string) => Promise<VerifyKey | undefined>)(subjectOf(claims));
      if (found !== undefined) return found;
      unknownKey = true;
      return decoyKey(header['alg'] as JwsAlgorithm);
    },
  };
}

/** @internal */
export function checkFixedKey(key: VerifyKey, allowed: ReadonlySet<JwsAlgorithm>): void {
  // keyMisfit reads a KeyObject's fields; the web build's key handle carries the same ones.
  const misfits = [...allowed].map((alg) => keyMisfit(key, alg, 'verify'));
  if (misfits.includes(undefined)) return;
  // A too-small RSA key is named as such: the fix is a bigger key, not another algorithm.
  const tooSmall = misfits.find((misfit) => misfit?.code === 'ERR_KEY_TOO_SMALL');
  if (tooSmall !== undefined) throw new SignetError(tooSmall.code, `publicKey ${tooSmall.problem}.`);
  throw new SignetError('ERR_KEY_TYPE', `publicKey is an ${key.asymmetricKeyType ?? 'unknown'} key, which none of the allowed algorithms (${[...allowed].join(', ')}) uses.`);
}

const CACHE_LIMIT = 1024;

/** `undefined` for an unknown API key; a lookup that throws is `ERR_KEY_LOOKUP_FAILED`, never a raw error. */
/** @internal */
export function cachedLookup(keyForApiKey: NonNullable<RequestVerifierOptions['keyForApiKey']>): (sub: string) => Promise<VerifyKey | undefined> {
  const parsed = new Map<string, VerifyKey>();
  return async (sub) => {
    let found: PublicKeyInput | null | undefined;
    try {
      found = await keyForApiKey(sub);
    } catch {
      throw new SignetError('ERR_KEY_LOOKUP_FAILED', 'keyForApiKey failed; the request is refused. Check the key store this API reads.');
    }
    if (found === undefined || found === null) return undefined;
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
