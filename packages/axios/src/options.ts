/** Options of {@link createSignedAxios} and {@link attachSigner}. */
export interface SignedAxiosOptions {
  /**
   * The most bytes of a stream body (Node `Readable`, web `ReadableStream`, the `form-data` package) that are
   * buffered so they can be hashed and then sent. A larger stream is refused with `ERR_BODY_TOO_LARGE` before
   * anything is sent. Bodies that are already in memory (Buffer, string, …) are never copied nor limited here.
   * @default 10485760 (10 MiB)
   */
  maxBufferedBodyBytes?: number;
}

/** @internal */
export const DEFAULT_MAX_BUFFERED_BODY_BYTES = 10 * 1024 * 1024;
