import { type JwsAlgorithm, SignetError } from '@signet/core';
import { DPOP_ALGORITHMS, base64urlOf, digestSync, jwkThumbprint, readOptions } from '@signet/internal';
import { headerValue } from '../claims.js';
import { COMMON_OPTIONS, commonSettings } from '../common.js';
import { recordDecoded } from '../explain.js';
import { verifyJws } from '../jws.js';
import { type VerifyKey, constantTimeEqual, publicKeyFrom } from '../platform/crypto.js';
import type { CommonVerifierOptions } from '../options.js';
import { type ReplayStore, memoryReplayStore } from '../replay.js';
import { claimOnce, replayIdentity } from '../replay-claim.js';
import { allowList } from '../request-verifier.js';
import type { VerifiedClaims, Verifier } from '../types.js';
import { defineVerifier } from '../verifier.js';

/** Options of {@link dpopVerifier}. */
export interface DpopVerifierOptions extends Omit<CommonVerifierOptions, 'replay'> {
  /**
   * The origin (or origins) clients address this server at, e.g. `'https://api.example.com'`: a proof's `htu` must
   * be one of them followed by the path the request was received on. Behind a proxy, the public origin.
   */
  origin: string | readonly string[];
  /** Accepted proof algorithms: asymmetric ones only. @default every asymmetric one (RS256/384/512, PS256, ES256/384, EdDSA) */
  algorithms?: readonly JwsAlgorithm[];
  /** How old a proof's `iat` may be, in seconds (RFC 9449 §11.1: "a reasonably short window"). @default 60 */
  maxAgeSeconds?: number;
  /**
   * Accepts each proof's `jti` once within its window (RFC 9449 §11.1). `false` turns the check off (only when
   * a server nonce makes proofs single-use). Share a `redisReplayStore` between instances.
   * @default memoryReplayStore()
   */
  replay?: ReplayStore | false;
  /** Refuse requests without `Authorization: DPoP <access token>` (a resource server). @default false */
  requireAccessToken?: boolean;
  /**
   * The thumbprint (RFC 7638, SHA-256) the proof's key must have: the access token's `cnf.jkt`, fixed or looked up
   * for the token presented. A function returning `undefined` (an unknown token) refuses the request.
   * @default undefined (not checked)
   */
  jkt?: string | ((context: { accessToken: string | undefined }) => string | undefined | Promise<string | undefined>);
  /**
   * Whether the proof's `nonce` (`undefined` when it has none) is one this server handed out recently. A refusal
   * is `ERR_DPOP_NONCE`: answer it with a fresh `DPoP-Nonce` and `error="use_dpop_nonce"` (RFC 9449 §8, §9).
   * @default undefined (nonces not required)
   */
  checkNonce?: (nonce: string | undefined) => boolean | Promise<boolean>;
}

/** The claims of a verified DPoP proof. */
export interface DpopClaims extends VerifiedClaims {
  /** The proof key's thumbprint, as `jkt`: the "subject" a DPoP proof speaks for. */
  readonly sub: string;
  /** The RFC 7638 SHA-256 thumbprint of the proof's key. */
  readonly jkt: string;
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly ath?: string;
  readonly nonce?: string;
}

const OPTIONS = [...COMMON_OPTIONS, 'origin', 'algorithms', 'maxAgeSeconds', 'requireAccessToken', 'jkt', 'checkNonce'] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Checks a DPoP proof per RFC 9449 §4.3: exactly one `DPoP` header holding a JWT of `typ` `dpop+jwt`, an allowed
 * asymmetric `alg`, a `jwk` that is a public key and verifies the signature, `htm` equal to the request's method,
 * `htu` equal to `origin` + the received path (both normalized per RFC 3986 §6.2.2-6.2.3, query and fragment
 * ignored), `iat` within `maxAgeSeconds`, and a `jti` not seen before. With `Authorization: DPoP <token>`, `ath`
 * must be the token's hash; with `jkt`, the key's thumbprint must be the token's `cnf.jkt`; with `checkNonce`, the
 * proof's `nonce` must be one the server gave.
 *
 * @example
 * ```ts
 * const verifier = dpopVerifier({ origin: 'https://api.example.com', requireAccessToken: true, jkt: ({ accessToken }) => introspect(accessToken).cnf.jkt });
 * const claims = await verifier.verify({ method: req.method, url: req.url, headers: req.headers, body: rawBody });
 * ```
 */
export function dpopVerifier(options: DpopVerifierOptions): Verifier<DpopClaims> {
  const own = readOptions<DpopVerifierOptions>(options, 'dpopVerifier', OPTIONS, 'origin');
  const { algorithms = DPOP_ALGORITHMS, maxAgeSeconds = 60, requireAccessToken = false, jkt, checkNonce } = own;
  const { replay: given, ...rest } = own;
  const replay = given === false ? undefined : (given ?? memoryReplayStore());
  const settings = commonSettings(replay === undefined ? rest : { ...rest, replay });
  const origins = checkOrigins(own.origin);
  const allowed = allowList(algorithms);
  if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds <= 0) throw new SignetError('ERR_INVALID_OPTION', 'maxAgeSeconds must be a positive whole number of seconds.');
  if (typeof requireAccessToken !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'requireAccessToken must be true or false.');
  if (jkt !== undefined && typeof jkt !== 'string' && typeof jkt !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'jkt must be a thumbprint string or a function returning one.');
  if (checkNonce !== undefined && typeof checkNonce !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'checkNonce must be a function (nonce) => boolean.');

  return defineVerifier<DpopClaims>(settings, {
    headers: ['dpop', 'authorization'],
    async authenticate(head, facts) {
      const proof = headerValue(head.headers, 'dpop');
      if (proof === undefined || !/^[\x21-\x7e]+$/.test(proof)) throw new SignetError('ERR_TOKEN_MISSING', 'The request carries no single "DPoP" proof header.');
      const accessToken = dpopAccessToken(head.headers, requireAccessToken);
      let thumbprint = '';
      const resolveKey = (header: Record<string, unknown>): VerifyKey => {
        const key = proofKey(header['jwk']);
        thumbprint = key.thumbprint;
        return key.key;
      };
      const { payload } = await verifyJws(proof, allowed, resolveKey, recordDecoded(facts), { typ: 'dpop+jwt', highS: true });
      const { jti, htm, htu, iat } = requiredClaims(payload);
      if (htm !== head.method) throw new SignetError('ERR_METHOD_MISMATCH', 'The proof\'s "htm" is not the method of this request.');
      const path = head.url.split('?', 1)[0] as string;
      const target = normalizedUri(htu);
      if (target === undefined || !origins.some((origin) => normalizedUri(origin + path) === target)) {
        throw new SignetError('ERR_URI_MISMATCH', 'The proof\'s "htu" is not this server\'s origin followed by the path this request was received on.');
      }
      const now = settings.now();
      facts.now = now;
      if (iat > now + settings.toleranceSeconds) throw new SignetError('ERR_TOKEN_FUTURE', "The proof is issued in the future: check the client's clock.");
      if (iat < now - maxAgeSeconds - settings.toleranceSeconds) throw new SignetError('ERR_TOKEN_EXPIRED', `The proof is older than ${maxAgeSeconds} seconds.`);
      if (accessToken !== undefined && !sameText(payload['ath'], base64urlOf(digestSync('sha256', accessToken)))) {
        throw new SignetError('ERR_TOKEN_BINDING_MISMATCH', 'The proof\'s "ath" is not the hash of the access token it came with.');
      }
      if (jkt !== undefined && !sameText(thumbprint, await expectedThumbprint(jkt, accessToken))) {
        throw new SignetError('ERR_TOKEN_BINDING_MISMATCH', "The proof's key is not the key the access token is bound to (cnf.jkt).");
      }
      const nonce = payload['nonce'];
      if (checkNonce !== undefined && !(typeof nonce === 'string' || nonce === undefined ? (await checkNonce(nonce)) === true : false)) {
        throw new SignetError('ERR_DPOP_NONCE', 'The proof carries no nonce, or not a current one: answer with a fresh DPoP-Nonce and error="use_dpop_nonce".');
      }
      const identity = replay === undefined ? undefined : replayIdentity({ jti }, thumbprint);
      return {
        claims: { ...payload, sub: thumbprint, jkt: thumbprint } as DpopClaims,
        async checkBody() {
          if (replay !== undefined && identity !== undefined) await claimOnce(replay, identity, iat + maxAgeSeconds, now, settings.toleranceSeconds);
        },
      };
    },
  });
}

function checkOrigins(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
  const origins = list.map((origin) => (typeof origin === 'string' && /^https?:\/\/[^/?#\s]+$/i.test(origin) ? origin : undefined));
  if (origins.length === 0 || origins.includes(undefined)) {
    throw new SignetError('ERR_INVALID_OPTION', "origin must be the origin clients address this server at, e.g. 'https://api.example.com' (or a list of them), without a path.");
  }
  return origins as string[];
}

/** The access token of `Authorization: DPoP <token>`, when the request carries one. */
function dpopAccessToken(headers: Record<string, string | string[] | undefined>, required: boolean): string | undefined {
  const authorization = headerValue(headers, 'authorization');
  const match = /^DPoP ([\x21-\x7e]+)$/i.exec(authorization ?? '');
  if (match === null && (required || authorization !== undefined)) {
    throw new SignetError('ERR_TOKEN_MISSING', 'The request carries no "Authorization: DPoP <access token>" header.');
  }
  return match?.[1];
}

/** The public key of the proof's `jwk` header, refused when it holds a private member (RFC 9449 §4.3 step 7). */
function proofKey(jwk: unknown): { key: VerifyKey; thumbprint: string } {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new SignetError('ERR_KEY_INVALID', 'The proof has no "jwk" header holding its public key.');
  if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(jwk, name))) throw new SignetError('ERR_KEY_INVALID', 'The proof\'s "jwk" holds private key material; only a public key may be sent.');
  const thumbprint = jwkThumbprint(jwk as Record<string, unknown>);
  if (thumbprint === undefined) throw new SignetError('ERR_KEY_INVALID', 'The proof\'s "jwk" is not an EC, RSA or OKP public key.');
  try {
    return { key: publicKeyFrom(jwk, 'The proof\'s "jwk"'), thumbprint };
  } catch {
    throw new SignetError('ERR_KEY_INVALID', 'The proof\'s "jwk" could not be read as a public key.');
  }
}

function requiredClaims(payload: Record<string, unknown>): { jti: string; htm: string; htu: string; iat: number } {
  const { jti, htm, htu, iat } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw new SignetError('ERR_CLAIM_INVALID', 'The proof needs a "jti" of 1 to 256 characters.');
  if (typeof htm !== 'string' || typeof htu !== 'string') throw new SignetError('ERR_CLAIM_INVALID', 'The proof needs "htm" and "htu" claims.');
  if (typeof iat !== 'number' || !Number.isSafeInteger(iat) || iat < 0) throw new SignetError('ERR_CLAIM_INVALID', 'The "iat" claim must be a whole number of seconds since the epoch.');
  return { jti, htm, htu, iat };
}

/**
 * A URI after RFC 3986 syntax- and scheme-based normalization (§6.2.2, §6.2.3), as RFC 9449 §4.3 advises before
 * comparing `htu`: scheme and host lower-cased, default port and dot segments removed, percent-encodings of
 * unreserved characters decoded and the others upper-cased; query and fragment dropped.
 */
function normalizedUri(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return undefined;
  const path = url.pathname.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  return `${url.protocol}//${url.host}${path}`;
}

async function expectedThumbprint(jkt: NonNullable<DpopVerifierOptions['jkt']>, accessToken: string | undefined): Promise<string | undefined> {
  if (typeof jkt === 'string') return jkt;
  try {
    return await jkt({ accessToken });
  } catch {
    throw new SignetError('ERR_KEY_LOOKUP_FAILED', 'jkt() failed; the request is refused. Check the token store this API reads.');
  }
}

function sameText(actual: unknown, expected: string | undefined): boolean {
  if (typeof actual !== 'string' || typeof expected !== 'string') return false;
  const encoder = new TextEncoder();
  return constantTimeEqual(encoder.encode(actual), encoder.encode(expected));
}
