import { SignetError } from '@signet/core';
import { assertPositiveInteger, readOptions } from '@signet/internal';
import { COMMON_OPTIONS, commonSettings } from '../common.js';
import type { CommonVerifierOptions } from '../options.js';
import type { Verifier } from '../types.js';
import { type ExchangeSecretInput, exchangeJwtVerifier } from './exchange-jwt.js';

/** Options of {@link bithumbVerifier}: give `accessKey` and `secretKey`, or `secretForAccessKey`. */
export interface BithumbVerifierOptions extends CommonVerifierOptions {
  /** The one accepted access key. */
  accessKey?: string;
  /** Its secret key. */
  secretKey?: ExchangeSecretInput;
  /** Looks up the secret of the token's `access_key`; `undefined` for an unknown one. */
  secretForAccessKey?: (accessKey: string) => ExchangeSecretInput | null | undefined | Promise<ExchangeSecretInput | null | undefined>;
  /** The accepted JWT algorithms. @default ['HS256', 'HS512'] */
  algorithms?: readonly ('HS256' | 'HS512')[];
  /** How `query_hash` renders the parameters, as the signer's option. @default 'raw' */
  queryHashForm?: 'raw' | 'encoded';
  /** The oldest `timestamp` accepted, in seconds; also how long a nonce is remembered. @default 60 */
  maxAgeSeconds?: number;
}

const OPTIONS = [...COMMON_OPTIONS, 'accessKey', 'secretKey', 'secretForAccessKey', 'algorithms', 'queryHashForm', 'maxAgeSeconds'] as const;

/**
 * Verifies Bithumb's API 2.0 JWT, for stand-ins and tests: HS256 or HS512 with the access key's secret, a `nonce`
 * (with `replay`, accepted once), a `timestamp` (ms) at most `maxAgeSeconds` old, and `query_hash` equal to the
 * SHA-512 of the received parameters (query or JSON body), absent for a request without parameters.
 *
 * @example
 * ```ts
 * const verifier = bithumbVerifier({ secretForAccessKey: (key) => keys.get(key), replay: memoryReplayStore() });
 * ```
 */
export function bithumbVerifier(options: BithumbVerifierOptions): Verifier {
  const own = readOptions<BithumbVerifierOptions>(options, 'bithumbVerifier', OPTIONS, 'accessKey and secretKey, or secretForAccessKey');
  const { queryHashForm = 'raw', maxAgeSeconds = 60 } = own;
  if (queryHashForm !== 'raw' && queryHashForm !== 'encoded') throw new SignetError('ERR_INVALID_OPTION', "queryHashForm must be 'raw' or 'encoded'.");
  assertPositiveInteger(maxAgeSeconds, 'maxAgeSeconds');
  return exchangeJwtVerifier(commonSettings(own), {
    fn: 'bithumbVerifier',
    accessKey: own.accessKey,
    secretKey: own.secretKey,
    secretForAccessKey: own.secretForAccessKey,
    algorithms: own.algorithms,
    form: queryHashForm,
    maxAgeSeconds,
  });
}
