import type { KeyObject } from 'node:crypto';
import { type JwsAlgorithm, algorithmSpec } from './algorithm-registry.js';
import { jwsMinter } from './jws-minter.js';
import { type Clock, checkClock, checkOffset, issuedAt as issuedAtFor } from './clock.js';
import { SignetError } from './errors.js';
import { loadHmacSecret, loadPrivateSigningKey } from './keys.js';
import { type RemoteKeyOptions, checkSigningKey, isSigningKey, remoteLimits } from './remote-key.js';
import type { SigningKey } from './signing-key.js';
import { type OffloadMode, checkOffload } from './offload.js';
import { optionNames, readOptions } from './options.js';
import { tokenSource } from './token-reuse.js';
import type { SignableRequest, Signer } from './types.js';
import { assertHeaderName, assertHeaderSafeString, assertPositiveInteger } from './validate.js';

/** A JWT claims set: a plain JSON object. */
export type JwtClaims = Record<string, unknown>;

/** Options of {@link jwtSigner}. */
export interface JwtSignerOptions extends RemoteKeyOptions {
  /** The JWS algorithm. */
  algorithm: JwsAlgorithm;
  /**
   * HS*: the shared secret (string, Buffer, secret KeyObject, HMAC CryptoKey or `oct` JWK), at least as long as the
   * hash (32, 48, 64 bytes) unless `allowShortSecret`. Others: the private key (PEM, DER, KeyObject, CryptoKey or
   * private JWK) of the algorithm's type; RSA ≥ 2048
   * bits; ES256 on P-256, ES384 on P-384, ES512 on P-521; EdDSA on Ed25519 or Ed448. Parsed once, here. Or a `SigningKey` of
   * this `algorithm`, held outside the process, within `maxConcurrentSigns` and `signTimeoutMs`.
   */
  key: string | Buffer | KeyObject | CryptoKey | JsonWebKey | SigningKey;
  /** Passphrase of an encrypted PEM private key. @default undefined */
  passphrase?: string | Uint8Array;
  /**
   * The claims: an object, read once at construction (changing it later changes no token), or a function of the
   * request (sync or async) for claims that depend on it.
   * `iat` and `exp` are set by Signet unless turned off with `issuedAt: false` / `expiresInSeconds: false`.
   * @default {}
   */
  claims?: JwtClaims | ((request: SignableRequest) => JwtClaims | Promise<JwtClaims>);
  /** `exp = iat + expiresInSeconds`; `false` for no `exp`. @default 300 */
  expiresInSeconds?: number | false;
  /** Whether to add `iat`. @default true */
  issuedAt?: boolean;
  /** The header the token goes in. @default 'Authorization' */
  header?: string;
  /** The scheme before the token; `''` sends the bare token. @default 'Bearer' */
  scheme?: string;
  /** A `kid` for the protected header. @default undefined */
  keyId?: string;
  /** Accept an HMAC secret shorter than the hash (RFC 7518 §3.2 forbids it; some APIs issue them). @default false */
  allowShortSecret?: boolean;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock for `iat` and `exp`. @default 0 */
  clockOffsetSeconds?: number;
  /** Reuse one token until it is this many seconds from its `exp` (static claims only). @default undefined */
  reuseWithinSeconds?: number;
  /** Where asymmetric signatures run (see `requestSigner`'s `offload`). @default 'auto' */
  offload?: OffloadMode;
}

const JWT_SIGNER_OPTIONS = optionNames<JwtSignerOptions>({
  algorithm: true,
  key: true,
  passphrase: true,
  claims: true,
  expiresInSeconds: true,
  issuedAt: true,
  header: true,
  scheme: true,
  keyId: true,
  allowShortSecret: true,
  clock: true,
  clockOffsetSeconds: true,
  reuseWithinSeconds: true,
  offload: true,
  maxConcurrentSigns: true,
  signTimeoutMs: true,
});

/**
 * Bearer JWTs for your own APIs, in any of HS256/384/512, RS256/384/512, PS256, ES256/384 and EdDSA.
 *
 * @example
 * ```ts
 * const signer = jwtSigner({ algorithm: 'HS256', key: process.env.JWT_SECRET!, claims: { sub: 'svc-billing', role: 'admin' } });
 * const api = createSignedAxios(signer, { baseURL: 'https://internal.example.com' });
 * ```
 */
export function jwtSigner(options: JwtSignerOptions): Signer {
  const own = readOptions<JwtSignerOptions>(options, 'jwtSigner', JWT_SIGNER_OPTIONS, 'algorithm and key');
  const { claims = {}, expiresInSeconds = 300, issuedAt = true, header = 'Authorization', scheme = 'Bearer', keyId, allowShortSecret = false, clock = Date.now, reuseWithinSeconds, offload = 'auto' } = own;
  checkOffload(offload);
  const spec = algorithmSpec(own.algorithm);
  const algorithm = own.algorithm as JwsAlgorithm;
  if (expiresInSeconds !== false) assertPositiveInteger(expiresInSeconds, 'expiresInSeconds');
  if (typeof issuedAt !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'issuedAt must be a boolean.');
  assertHeaderName(header, 'header');
  if (typeof scheme !== 'string' || /[\0-\x1f\x7f ]/.test(scheme)) {
    throw new SignetError('ERR_INVALID_OPTION', 'scheme must be a single word without spaces or control characters (or "").');
  }
  if (keyId !== undefined) assertHeaderSafeString(keyId, 'keyId');
  if (typeof claims !== 'function') checkClaims(claims);
  if (typeof claims === 'function' && reuseWithinSeconds !== undefined) {
    throw new SignetError('ERR_INVALID_OPTION', 'reuseWithinSeconds cannot be used with a claims function: its tokens depend on the request.');
  }
  const limits = remoteLimits(own);
  const input = own.key;
  if (isSigningKey(input)) checkSigningKey(input, algorithm, 'key');
  const key = isSigningKey(input) ? input : spec.family === 'hmac' ? loadHmacSecret(input, 'key', allowShortSecret ? undefined : spec.minSecretBytes) : loadPrivateSigningKey(algorithm, input, own.passphrase);
  const mint = jwsMinter(algorithm, key, keyId === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid: keyId }, offload, limits);
  const lifetime = expiresInSeconds === false ? undefined : expiresInSeconds;
  const withTimes = (base: JwtClaims, iat: number): JwtClaims => {
    const out: JwtClaims = { ...base };
    if (issuedAt) out['iat'] = iat;
    if (lifetime !== undefined) out['exp'] = iat + lifetime;
    return out;
  };
  const readClock = checkClock(clock);
  const offset = checkOffset(own.clockOffsetSeconds, 'clockOffsetSeconds');
  const prefix = scheme === '' ? '' : `${scheme} `;

  if (typeof claims === 'function') {
    return {
      async sign(request: SignableRequest) {
        const iat = issuedAtFor(readClock, offset, request);
        const own = await claims(request);
        checkClaims(own);
        return { [header]: prefix + (await mint(withTimes(own, iat), request?.signal)) };
      },
    };
  }
  // Static claims are serialized once: each token only adds its times to the JSON text. Claims that set iat or exp
  // themselves keep withTimes (their keys keep their place in the object, as JSON.stringify would write it).
  const timesOf = staticTimes(claims, issuedAt, lifetime);
  const payloadAt = timesOf ?? ((iat: number): JwtClaims => withTimes(claims, iat));
  // A token shared between callers (reuseWithinSeconds) is not cancelled by one of them; a fresh one is.
  const tokenAt = tokenSource((iat) => mint(payloadAt(iat)), lifetime, reuseWithinSeconds);
  const headersOf = (token: string): Record<string, string> => ({ [header]: prefix + token });
  return {
    sign(request?: SignableRequest) {
      try {
        const iat = issuedAtFor(readClock, offset, request);
        return (reuseWithinSeconds === undefined ? mint(payloadAt(iat), request?.signal) : tokenAt(iat)).then(headersOf);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/**
 * The JSON text of static claims with `iat`/`exp` appended per token, as `JSON.stringify({ ...claims, iat, exp })`
 * writes it; undefined when the claims hold `iat` or `exp` themselves.
 */
function staticTimes(claims: JwtClaims, issuedAt: boolean, lifetime: number | undefined): ((iat: number) => string) | undefined {
  if (Object.hasOwn(claims, 'iat') || Object.hasOwn(claims, 'exp')) return undefined;
  const json = JSON.stringify(claims);
  // A toJSON of its own could make the claims anything but an object's text: the general path then decides.
  if (!json.startsWith('{') || !json.endsWith('}')) return undefined;
  const open = json.slice(0, -1);
  const comma = open === '{' ? '' : ',';
  if (issuedAt && lifetime !== undefined) return (iat) => `${open}${comma}"iat":${iat},"exp":${iat + lifetime}}`;
  if (issuedAt) return (iat) => `${open}${comma}"iat":${iat}}`;
  if (lifetime !== undefined) return (iat) => `${open}${comma}"exp":${iat + lifetime}}`;
  return () => json;
}

function checkClaims(claims: unknown): asserts claims is JwtClaims {
  const proto: unknown = typeof claims === 'object' && claims !== null ? Object.getPrototypeOf(claims) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new SignetError('ERR_INVALID_OPTION', 'claims must be a plain object (or a function returning one).');
  }
  try {
    JSON.stringify(claims);
  } catch {
    throw new SignetError('ERR_INVALID_OPTION', 'claims must be JSON-serializable (no BigInt, no cycles).');
  }
}
