import type { Clock } from '../clock.js';
import { SignetError } from '../errors.js';
import type { PrivateKeyInput } from '../keys.js';
import { randomUUID } from '../platform/crypto.js';
import type { OffloadMode } from '../offload.js';
import { optionNames, readOptions } from '../options.js';
import { requestSigner } from '../request-signer.js';
import type { Signer } from '../types.js';

/**
 * The base URLs Fireblocks documents, one per workspace region ("Signing a request", developers.fireblocks.com;
 * `BasePath` in `@fireblocks/ts-sdk`). Pass one as the signed client's `baseURL`: origin pinning then lets the
 * credentials go to that host only.
 * @example
 * ```ts
 * const api = createSignedAxios(fireblocksSigner({ apiKey, privateKey }), { baseURL: FIREBLOCKS_BASE_URLS.eu });
 * ```
 */
export const FIREBLOCKS_BASE_URLS = Object.freeze({
  us: 'https://api.fireblocks.io/v1',
  eu: 'https://eu-api.fireblocks.io/v1',
  eu2: 'https://eu2-api.fireblocks.io/v1',
  sandbox: 'https://sandbox-api.fireblocks.io/v1',
} as const);

/** Options of {@link fireblocksSigner}. */
export interface FireblocksSignerOptions {
  /** Your Fireblocks API key (API User ID): the `sub` claim and the `X-API-Key` header. */
  apiKey: string;
  /** The RSA private key of the API user (PEM, DER or KeyObject, at least 2048 bits). Parsed once, here. */
  privateKey: PrivateKeyInput;
  /** Passphrase of an encrypted PEM key. @default undefined */
  passphrase?: string | Uint8Array;
  /**
   * `exp = iat + expiresInSeconds`. Fireblocks' API reference says `exp` "must be less than iat + 30 sec", while
   * its own SDKs (`@fireblocks/ts-sdk`, `fireblocks-sdk`) send `iat + 55`, which its servers accept. The default
   * keeps to the documented rule, so a stricter server can never refuse it; set 55 to match the SDKs (a clock that
   * is more than 29 s behind the server's then still passes).
   * @default 29
   */
  expiresInSeconds?: number;
  /** The unique `nonce` of each token. @default crypto.randomUUID (as the SDK's uuid v4) */
  nonce?: () => string;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: Clock;
  /** Seconds added to the clock for `iat` and `exp`. @default 0 */
  clockOffsetSeconds?: number;
  /** Where the RSA signature runs (see `requestSigner`). @default 'auto' */
  offload?: OffloadMode;
}

const FIREBLOCKS_OPTIONS = optionNames<FireblocksSignerOptions>({
  apiKey: true,
  privateKey: true,
  passphrase: true,
  expiresInSeconds: true,
  nonce: true,
  clock: true,
  clockOffsetSeconds: true,
  offload: true,
});

/**
 * Fireblocks' API authentication: an RS256 JWT per request, `{ uri, nonce, iat, exp, sub: apiKey, bodyHash }`, in
 * `Authorization: Bearer …`, with `X-API-Key: <apiKey>`. `uri` is the path + query as sent (with the `/v1`
 * prefix of the base URL), `bodyHash` the hex SHA-256 of the exact body bytes, and of the empty string for a
 * request without a body, as `@fireblocks/ts-sdk` hashes it. It is the per-request scheme of {@link requestSigner}
 * with Fireblocks' settings.
 *
 * @example
 * ```ts
 * const signer = fireblocksSigner({ apiKey: process.env.FIREBLOCKS_API_KEY!, privateKey: fs.readFileSync('fireblocks_secret.key') });
 * const api = createSignedAxios(signer, { baseURL: FIREBLOCKS_BASE_URLS.us });
 * const { data } = await api.get('/vault/accounts_paged');
 * ```
 */
export function fireblocksSigner(options: FireblocksSignerOptions): Signer {
  const own = readOptions<FireblocksSignerOptions>(options, 'fireblocksSigner', FIREBLOCKS_OPTIONS, 'apiKey and privateKey');
  const { nonce = randomUUID, expiresInSeconds = 29 } = own;
  if (typeof nonce !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'nonce must be a function returning a unique string: Fireblocks requires a nonce on every token.');
  // Only what was given is passed on: requestSigner reads its options as own properties and applies its defaults.
  return requestSigner({ ...(own as FireblocksSignerOptions), expiresInSeconds, nonce, emptyBody: '', apiKeyHeader: 'X-API-Key' });
}
