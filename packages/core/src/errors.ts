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
  | 'ERR_PROVIDER_RESPONSE';

/**
 * The one error type Signet throws. Its message says what was wrong and what to do; it never contains a secret,
 * a token or key material, and neither does anything reachable from it (there is no `cause` carrying user input).
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

  constructor(code: SignetErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  /** What `JSON.stringify` shows: name, code and message only. */
  toJSON(): { name: string; code: SignetErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}
