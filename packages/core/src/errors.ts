/**
 * Every failure Signet reports has one of these codes. They are stable: match on `code`, never on `message`.
 *
 * - `ERR_INVALID_OPTION`: an option is missing, empty, of the wrong type or out of range.
 * - `ERR_KEY_INVALID`: the key could not be parsed at all (not PEM/DER, or corrupt).
 * - `ERR_KEY_NOT_PRIVATE`: a public key or a certificate was given where a private key is needed.
 * - `ERR_KEY_TYPE`: the key is of another type than the algorithm needs (e.g. EC for RS256).
 * - `ERR_KEY_TOO_SMALL`: an RSA key under 2048 bits.
 * - `ERR_KEY_PASSPHRASE`: the key is encrypted and the passphrase is missing or wrong.
 * - `ERR_INVALID_REQUEST`: `sign()` was given a request it cannot sign (url not path + query, body not bytes).
 * - `ERR_INVALID_URL`: a transport adapter could not determine the absolute URL, or it is not http(s).
 * - `ERR_UNSUPPORTED_BODY`: a body of a type that cannot be turned into exact bytes.
 * - `ERR_BODY_TOO_LARGE`: a stream body larger than the adapter's buffering limit.
 * - `ERR_AUTH_CONFLICT`: the request also carries HTTP Basic credentials, which would replace the signature.
 * - `ERR_SIGNING_FAILED`: the cryptographic operation itself failed.
 * - `ERR_JWT_MALFORMED`: `decodeJwt` was given something that is not a compact JWT.
 * - `ERR_PROVIDER_RESPONSE`: a provider API answered with something other than what its contract promises.
 * - `ERR_ORIGIN_NOT_ALLOWED`: a signed instance was asked to send a request to an origin it is not pinned to.
 * - `ERR_REDIRECT_REFUSED`: the server answered a redirect, which signed requests do not follow.
 *
 * Verification (`@signet/verify`) rejects a request with one of these:
 * - `ERR_TOKEN_MISSING`: no token in the expected header (or not as `Bearer <token>`).
 * - `ERR_SIGNATURE_INVALID`: the signature does not verify with the key (a forged or altered token).
 * - `ERR_ALGORITHM_NOT_ALLOWED`: `alg` is not in the allow-list (`none`, in any case, never is), or does not fit the key.
 * - `ERR_TOKEN_TYPE`: the `typ` header is not `JWT`.
 * - `ERR_TOKEN_CRIT`: the token names critical header extensions, none of which are understood.
 * - `ERR_CLAIM_INVALID`: a required claim is missing or malformed (non-integer times, wrong `iss`, bad `sub`).
 * - `ERR_TOKEN_EXPIRED`: `exp` has passed (beyond the clock tolerance).
 * - `ERR_TOKEN_FUTURE`: `iat` (or `nbf`) lies in the future (beyond the clock tolerance).
 * - `ERR_TOKEN_LIFETIME`: `exp - iat` exceeds the scheme's maximum lifetime.
 * - `ERR_URI_MISMATCH`: the `uri` claim is not the path + query the request was received on.
 * - `ERR_BODY_HASH_MISMATCH`: the `bodyHash` claim is not the SHA-256 of the body received.
 * - `ERR_TOKEN_REPLAYED`: the token was already accepted once.
 * - `ERR_REPLAY_STORE_FULL`: the in-memory replay store is full of live tokens; the request is refused (fail closed).
 * - `ERR_CLIENT_KEY_MISMATCH`: the PortOne `X-Portone-Client-Key` header is missing, unknown or not the token's `sub`.
 * - `ERR_UNKNOWN_KEY`: no key is known for the token's `sub`.
 * - `ERR_REQUEST_TOO_LARGE`: the request's body or authentication header exceeds the configured limit.
 * - `ERR_NONCE_REQUIRED`: a verifier with a replay store got a token without a unique `nonce` or `jti`.
 * - `ERR_REPLAY_STORE_UNAVAILABLE`: the replay store did not answer within its deadline (or is closed); refused (503).
 * - `ERR_METHOD_MISMATCH`: the token's `method` claim is missing (when required) or not the request's method.
 * - `ERR_API_KEY_MISMATCH`: the API-key header the verifier requires is missing or not the token's `sub`.
 * - `ERR_KEY_LOOKUP_FAILED`: the verifier's `keyForApiKey` threw; the request is refused (503).
 * - `ERR_BODY_CONSUMED`: the verification middleware found the body already read (a body parser mounted before it).
 * - `ERR_SIGNATURE_COVERAGE`: an HTTP message signature (RFC 9421) does not cover a component the server requires
 *   (or, for a request with a body, `content-digest`).
 * - `ERR_TOKEN_BINDING_MISMATCH`: a DPoP proof is not bound to the access token it came with (`ath` is not the
 *   token's hash, or the proof's key is not the token's `cnf.jkt`).
 * - `ERR_DPOP_NONCE`: a DPoP proof lacks the server-provided nonce, or carries a stale one (answer `use_dpop_nonce`).
 */
export type SignetErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_KEY_INVALID'
  | 'ERR_KEY_NOT_PRIVATE'
  | 'ERR_KEY_TYPE'
  | 'ERR_KEY_TOO_SMALL'
  | 'ERR_KEY_PASSPHRASE'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_INVALID_URL'
  | 'ERR_UNSUPPORTED_BODY'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_AUTH_CONFLICT'
  | 'ERR_SIGNING_FAILED'
  | 'ERR_JWT_MALFORMED'
  | 'ERR_PROVIDER_RESPONSE'
  | 'ERR_ORIGIN_NOT_ALLOWED'
  | 'ERR_REDIRECT_REFUSED'
  | 'ERR_TOKEN_MISSING'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_ALGORITHM_NOT_ALLOWED'
  | 'ERR_TOKEN_TYPE'
  | 'ERR_TOKEN_CRIT'
  | 'ERR_CLAIM_INVALID'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_FUTURE'
  | 'ERR_TOKEN_LIFETIME'
  | 'ERR_URI_MISMATCH'
  | 'ERR_BODY_HASH_MISMATCH'
  | 'ERR_TOKEN_REPLAYED'
  | 'ERR_REPLAY_STORE_FULL'
  | 'ERR_CLIENT_KEY_MISMATCH'
  | 'ERR_UNKNOWN_KEY'
  | 'ERR_REQUEST_TOO_LARGE'
  | 'ERR_NONCE_REQUIRED'
  | 'ERR_REPLAY_STORE_UNAVAILABLE'
  | 'ERR_METHOD_MISMATCH'
  | 'ERR_API_KEY_MISMATCH'
  | 'ERR_KEY_LOOKUP_FAILED'
  | 'ERR_BODY_CONSUMED'
  | 'ERR_SIGNATURE_COVERAGE'
  | 'ERR_TOKEN_BINDING_MISMATCH'
  | 'ERR_DPOP_NONCE';

/**
 * The one error type Signet throws. Its message says what was wrong and what to do; it never contains a secret,
 * a token or key material, and neither does anything reachable from it. Its `cause` is set only when a key held
 * outside the process (a `SigningKey`) failed: then it is a copy of the backend's error reduced to its name,
 * message and code, so nothing the backend attached (its request, credentials) is kept.
 *
 * @example
 * ```ts
 * try {
 *   requestSigner({ apiKey, privateKey });
 * } catch (error) {
 *   if (error instanceof SignetError && error.code === 'ERR_KEY_TOO_SMALL') rotateKey();
 * }
 * ```
 */
export class SignetError extends Error {
  override readonly name = 'SignetError';
  readonly code: SignetErrorCode;

  constructor(code: SignetErrorCode, message: string, options?: { cause?: Error }) {
    super(message, options);
    this.code = code;
  }

  /** What `JSON.stringify` shows: name, code and message only. */
  toJSON(): { name: string; code: SignetErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}
