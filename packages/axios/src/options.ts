import { SignetError } from '@signet/core';
import { TRANSPORT_OPTIONS, readOptions } from '@signet/internal';

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
   * signed again and resent once. `'off'` signs on the signer's own clock (with its `clockOffsetSeconds`); 'auto' passes the server's time as `signingTime`.
   * @default 'off'
   */
  clockSkew?: 'off' | 'auto';
  /** The largest clock skew `clockSkew: 'auto'` will believe, in seconds. @default 600 */
  maxClockSkewSeconds?: number;
}

/** @internal Every Signet option name: refused in an axios config, where axios would silently ignore it. */
export const SIGNED_AXIOS_OPTIONS: readonly (keyof SignedAxiosOptions)[] = TRANSPORT_OPTIONS;

// axios options people put in the Signet options by mistake: said plainly rather than as an unknown option.
const AXIOS_KEYS = ['baseURL', 'headers', 'timeout', 'adapter', 'params', 'httpAgent', 'httpsAgent', 'proxy'];

/** @internal The Signet options of `fn` (`usage` shows the call), own properties only. */
export function readSignedAxiosOptions(options: unknown, fn: string, usage: string): Partial<SignedAxiosOptions> {
  if (options === undefined) return Object.create(null) as Partial<SignedAxiosOptions>;
  const axiosKey = typeof options === 'object' && options !== null ? AXIOS_KEYS.find((key) => Object.hasOwn(options, key)) : undefined;
  if (axiosKey !== undefined) {
    throw new SignetError('ERR_INVALID_OPTION', `${axiosKey} is an axios option, not a Signet one: ${usage}.`);
  }
  return readOptions<SignedAxiosOptions>(options, fn, SIGNED_AXIOS_OPTIONS);
}

/** @internal An axios instance: a function with interceptors and defaults. */
export function isAxiosInstance(value: unknown): boolean {
  const candidate = value as { interceptors?: unknown; defaults?: unknown } | null;
  return typeof value === 'function' && typeof candidate?.interceptors === 'object' && typeof candidate.defaults === 'object';
}
