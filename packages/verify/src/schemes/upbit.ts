import { assertPositiveInteger, readOptions } from '@signet/internal';
import { COMMON_OPTIONS, commonSettings } from '../common.js';
import type { CommonVerifierOptions } from '../options.js';
import type { Verifier } from '../types.js';
import { type ExchangeSecretInput, exchangeJwtVerifier } from './exchange-jwt.js';

/** Options of {@link upbitVerifier}: give `accessKey` and `secretKey`, or `secretForAccessKey`. */
export interface UpbitVerifierOptions extends CommonVerifierOptions {
  /** The one accepted access key. */
  accessKey?: string;
  /** Its secret key. */
  secretKey?: ExchangeSecretInput;
  /** Looks up the secret of the token's `access_key`; `undefined` for an unknown one. */
  secretForAccessKey?: (accessKey: string) => ExchangeSecretInput | null | undefined | Promise<ExchangeSecretInput | null | undefined>;
  /** The accepted JWT algorithms. @default ['HS256', 'HS512'] */
  algorithms?: readonly ('HS256' | 'HS512')[];
  /**
   * Upbit's tokens carry no time, so with `replay` each nonce is remembered this long; the same token sent again
   * after that passes. Keep it as long as the store can afford.
   * @default 86400
   */
  nonceTtlSeconds?: number;
}

const OPTIONS = [...COMMON_OPTIONS, 'accessKey', 'secretKey', 'secretForAccessKey', 'algorithms', 'nonceTtlSeconds'] as const;

/**
 * Verifies Upbit's exchange JWT, for stand-ins of the Upbit API and tests: HS256 or HS512 with the access key's
 * secret, a `nonce` on every token (with `replay`, accepted once), and `query_hash` equal to the SHA-512 of the
 * received parameters as Upbit renders them (`unquote(urlencode(params, doseq=True))`: the query's, or the JSON
 * body's), absent for a request without parameters.
 *
 * @example
 * ```ts
 * const verifier = upbitVerifier({ secretForAccessKey: (key) => keys.get(key), replay: memoryReplayStore() });
 * app.use(signetMiddleware(verifier));
 * ```
 */
export function upbitVerifier(options: UpbitVerifierOptions): Verifier {
  const own = readOptions<UpbitVerifierOptions>(options, 'upbitVerifier', OPTIONS, 'accessKey and secretKey, or secretForAccessKey');
  const { nonceTtlSeconds = 86_400 } = own;
  assertPositiveInteger(nonceTtlSeconds, 'nonceTtlSeconds');
  return exchangeJwtVerifier(commonSettings(own), {
    fn: 'upbitVerifier',
    accessKey: own.accessKey,
    secretKey: own.secretKey,
    secretForAccessKey: own.secretForAccessKey,
    algorithms: own.algorithms,
    form: 'upbit',
    nonceTtlSeconds,
  });
}
