/** Options of {@link createSignedAxios} and {@link attachSigner}. */
export interface SignedAxiosOptions {
  /**
   * The most bytes of a stream body (Node `Readable`, web `ReadableStream`, the `form-data` package) that are
   * buffered so they can be hashed and then sent. A larger stream is refused with `ERR_BODY_TOO_LARGE` before
   * anything is sent. Bodies that are already in memory (Buffer, string, …) are never copied nor limited here.
   * @default 10485760 (10 MiB)
   */
  maxBufferedBodyBytes?: number;
  /**
   * The origins this instance may send credentials to. A request to any other origin (an absolute or
   * protocol-relative url, a per-request baseURL) is refused with `ERR_ORIGIN_NOT_ALLOWED` before a byte is sent,
   * whatever `allowAbsoluteUrls` says. The instance's `baseURL` origin is always allowed; without a `baseURL`, this
   * list is required.
   * @default [] (the baseURL's origin only)
   */
  allowedOrigins?: readonly string[];
  /**
   * `'auto'` learns how far the server's clock is from this host's from its `Date` header (pinned origins only,
   * within `maxClockSkewSeconds`) and signs on the server's clock; a 401 that reveals a skew of 5 s or more is
   * signed again and resent once. `'off'` signs on this host's clock (plus the signer's `clockOffsetSeconds`).
   * @default 'off'
   */
  clockSkew?: 'off' | 'auto';
  /** The largest clock skew `clockSkew: 'auto'` will believe, in seconds. @default 600 */
  maxClockSkewSeconds?: number;
}

/** @internal */
export const DEFAULT_MAX_BUFFERED_BODY_BYTES = 10 * 1024 * 1024;
