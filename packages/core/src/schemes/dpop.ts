import { ALGORITHMS, type JwsAlgorithm, algorithmSpec } from '../algorithm-registry.js';
import { type Clock, checkClock, checkOffset, issuedAt } from '../clock.js';
import { SignetError } from '../errors.js';
import { jwsMinter } from '../jws-minter.js';
import { jwkThumbprint, publicJwk } from '../jwk.js';
import { type PrivateKeyInput, loadPrivateSigningKey } from '../keys.js';
import { type OffloadMode, checkOffload } from '../offload.js';
import { base64urlOf, latin1 } from '../platform/bytes.js';
import { digestSync, randomUUID } from '../platform/crypto.js';
import { optionNames, ownValue, readOptions } from '../options.js';
import type { SignableRequest, Signer, SignerResponse } from '../types.js';
import { assertHeaderSafeString } from '../validate.js';

/** Options of {@link dpopSigner}. */
export interface DpopSignerOptions {
  /**
   * The DPoP key's private half (PEM, DER, KeyObject, CryptoKey or private JWK) of the algorithm's type: EC P-256 for ES256, RSA of at
   * least 2048 bits for PS256/RS256, Ed25519 for EdDSA. Its public half goes in every proof's `jwk` header.
   */
  privateKey: PrivateKeyInput;
  /** Passphrase of an encrypted PEM key. @default undefined */
  passphrase?: string | Uint8Array;
  /** The proof's algorithm: an asymmetric one (RFC 9449 §4.2 forbids `none` and MACs). @default 'ES256' */
  algorithm?: JwsAlgorithm;
  /**
   * The DPoP-bound access token, or a function returning the current one: each request then carries
   * `Authorization: DPoP <token>` and its proof the token's hash (`ath`). Leave it out for requests to the token
   * endpoint. @default undefined
   */
  accessToken?: string | (() => string | Promise<string>);
  /** Makes each proof's unique `jti`; inject a fixed one in tests. @default crypto.randomUUID */
  jti?: () => string;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock for `iat`. @default 0 */
  clockOffsetSeconds?: number;
  /** Where signatures run (see `requestSigner`'s `offload`). @default 'auto' */
  offload?: OffloadMode;
}

const DPOP_SIGNER_OPTIONS = optionNames<DpopSignerOptions>({
  privateKey: true,
  passphrase: true,
  algorithm: true,
  accessToken: true,
  jti: true,
  clock: true,
  clockOffsetSeconds: true,
  offload: true,
});

/** A DPoP signer: a {@link Signer} that also tells the thumbprint its access tokens are bound to. */
export interface DpopSigner extends Signer {
  /** The RFC 7638 SHA-256 thumbprint of the DPoP key (`dpop_jkt`, and the `cnf.jkt` of tokens issued for it). */
  readonly thumbprint: string;
  /** Remembers the origin's `DPoP-Nonce`; `'retry'` when the server refused the proof for want of it (RFC 9449 §8, §9). */
  onResponse(response: SignerResponse): Promise<'retry' | undefined>;
}

// RFC 9449 §8.1: a nonce is NQCHAR (RFC 6749 A.1), visible ASCII without `"` and `\`; bounded here.
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,1024}$/;
const MAX_REMEMBERED_ORIGINS = 256;

/**
 * DPoP proofs (RFC 9449): every request carries a fresh `DPoP` proof JWT, protected header
 * `{ typ: 'dpop+jwt', alg, jwk }` and claims `{ jti, htm, htu, iat, ath?, nonce? }`, where `htu` is the request's
 * absolute URI without query and fragment. With an `accessToken` it also sends `Authorization: DPoP <token>` and
 * binds the proof to it (`ath`). A server that demands a nonce (`DPoP-Nonce` with `error="use_dpop_nonce"`) is
 * answered once more with it through `onResponse`, which the axios and fetch adapters call; the latest nonce of
 * each origin is remembered for the next proofs.
 *
 * @example
 * ```ts
 * const signer = dpopSigner({ privateKey: fs.readFileSync('dpop-key.pem'), accessToken: () => tokens.current() });
 * const api = createSignedAxios(signer, { baseURL: 'https://resource.example.org' });
 * ```
 */
export function dpopSigner(options: DpopSignerOptions): DpopSigner {
  const own = readOptions<DpopSignerOptions>(options, 'dpopSigner', DPOP_SIGNER_OPTIONS, 'privateKey');
  const { algorithm = 'ES256', accessToken, jti = randomUUID, clock = Date.now, offload = 'auto' } = own;
  if (algorithmSpec(algorithm).family === 'hmac') {
    throw new SignetError('ERR_INVALID_OPTION', `algorithm ${algorithm} is a MAC; DPoP proofs need an asymmetric one (ES256, PS256, RS256, EdDSA).`);
  }
  if (accessToken !== undefined && typeof accessToken !== 'function') assertHeaderSafeString(accessToken, 'accessToken');
  if (typeof jti !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'jti must be a function returning a unique string.');
  checkClock(clock);
  checkOffload(offload);
  const offset = checkOffset(own.clockOffsetSeconds, 'clockOffsetSeconds');
  const key = loadPrivateSigningKey(algorithm, own.privateKey, own.passphrase);
  const jwk = publicJwk(key);
  const mint = jwsMinter(algorithm, key, { typ: 'dpop+jwt', alg: algorithm, jwk }, offload);
  const nonces = new Map<string, string>();

  return {
    thumbprint: jwkThumbprint(jwk) as string,
    async sign(request: SignableRequest): Promise<Record<string, string>> {
      const claims: Record<string, unknown> = { jti: uniqueId(jti), htm: methodOf(request), htu: targetUri(request), iat: issuedAt(clock, offset, request) };
      const headers: Record<string, string> = {};
      if (accessToken !== undefined) {
        const token = typeof accessToken === 'function' ? await accessToken() : accessToken;
        assertHeaderSafeString(token, 'accessToken()');
        claims['ath'] = base64urlOf(digestSync('sha256', latin1(token)));
        headers['Authorization'] = `DPoP ${token}`;
      }
      const nonce = nonces.get(ownValue(request, 'origin') as string);
      if (nonce !== undefined) claims['nonce'] = nonce;
      headers['DPoP'] = await mint(claims);
      return headers;
    },
    async onResponse(response: SignerResponse): Promise<'retry' | undefined> {
      const nonce = response.headers['dpop-nonce'];
      if (typeof response.origin !== 'string' || nonce === undefined || !NONCE.test(nonce)) return undefined;
      nonces.delete(response.origin);
      if (nonces.size >= MAX_REMEMBERED_ORIGINS) nonces.delete(nonces.keys().next().value as string);
      nonces.set(response.origin, nonce);
      // Concurrent requests may each be refused for the same new nonce: each is resent (transports resend once).
      return (await asksForNonce(response)) ? 'retry' : undefined;
    },
  };
}

/** RFC 9449 §9: a 401 whose `WWW-Authenticate: DPoP` says `use_dpop_nonce`; §8: a 400 whose JSON error says it. */
async function asksForNonce(response: SignerResponse): Promise<boolean> {
  if (response.status === 401) return /(^|[\s,])DPoP\s(.*[\s,])?error="?use_dpop_nonce"?/i.test(response.headers['www-authenticate'] ?? '');
  if (response.status !== 400 || response.body === undefined) return false;
  try {
    const parsed: unknown = JSON.parse((await response.body()) ?? '');
    return ownValue(parsed, 'error') === 'use_dpop_nonce';
  } catch {
    return false;
  }
}

function uniqueId(make: () => string): string {
  const value = make();
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw new SignetError('ERR_INVALID_OPTION', 'jti() must return a string of 1 to 256 characters.');
  return value;
}

function methodOf(request: SignableRequest): string {
  const method = ownValue(request, 'method');
  if (typeof method !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.method must be an HTTP method name such as "POST".');
  }
  // As sent: fetch leaves a lowercase `patch` as it is, and the server compares `htm` with the request line.
  return method;
}

/** `htu`: origin + path, without query and fragment (RFC 9449 §4.2). */
function targetUri(request: SignableRequest): string {
  const origin = ownValue(request, 'origin');
  const url = ownValue(request, 'url');
  if (typeof origin !== 'string' || !/^https?:\/\/[^/?#\s]+$/i.test(origin)) {
    throw new SignetError('ERR_INVALID_REQUEST', "A DPoP proof names the absolute URI: request.origin must be set, e.g. 'https://api.example.com' (the axios and fetch adapters set it).");
  }
  if (typeof url !== 'string' || !/^\/[\x21-\x7e]*$/.test(url) || url.includes('#')) {
    throw new SignetError('ERR_INVALID_REQUEST', 'request.url must be the path + query as sent on the wire: starting with "/", percent-encoded, without origin or fragment.');
  }
  return origin + url.split('?', 1)[0];
}

/** @internal The algorithms a DPoP proof may use: the registry's asymmetric ones. */
export const DPOP_ALGORITHMS: readonly JwsAlgorithm[] = (Object.keys(ALGORITHMS) as JwsAlgorithm[]).filter((alg) => ALGORITHMS[alg].family !== 'hmac');
