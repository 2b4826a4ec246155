import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { SignetError, type Signer } from '@signet/core';
import { attachChecked } from './attach-signer.js';
import { assertSignerFirst } from '@signet/internal';
import { SIGNED_AXIOS_OPTIONS, type SignedAxiosOptions, readSignedAxiosOptions } from './options.js';

const USAGE = 'createSignedAxios(signer, { baseURL, …axios config }, { allowedOrigins, …Signet options })';

/**
 * An ordinary axios instance (interceptors, `validateStatus`, agents, proxies and cancellation all work as usual)
 * whose every request is signed over the exact bytes and path + query it sends.
 *
 * Credentials must know where they may go: give an absolute `baseURL` in the axios config, or `allowedOrigins` in
 * the Signet options (then every request url is absolute). The signatures say so, and a call without either throws
 * `ERR_INVALID_OPTION`.
 *
 * @example
 * ```ts
 * const api = createSignedAxios(requestSigner({ apiKey, privateKey }), { baseURL: 'https://api.example.com/v1' });
 * const { data } = await api.post('/payments', { amount: 100 }, { params: { dryRun: 1 } });
 * ```
 */
export function createSignedAxios(signer: Signer, axiosConfig: CreateAxiosDefaults & { baseURL: string }, options?: SignedAxiosOptions): AxiosInstance;
/**
 * Without a `baseURL`, `allowedOrigins` says where credentials may go, and every request url is absolute.
 *
 * @example
 * ```ts
 * const api = createSignedAxios(signer, { timeout: 5000 }, { allowedOrigins: ['https://api.example.com'] });
 * await api.get('https://api.example.com/v1/payments');
 * ```
 */
export function createSignedAxios(signer: Signer, axiosConfig: CreateAxiosDefaults | undefined, options: SignedAxiosOptions & { allowedOrigins: readonly string[] }): AxiosInstance;
export function createSignedAxios(signer: Signer, axiosConfig?: CreateAxiosDefaults, options?: SignedAxiosOptions): AxiosInstance {
  assertSignerFirst(signer, axiosConfig, 'createSignedAxios', 'the axios config', USAGE);
  if (axiosConfig !== undefined && (typeof axiosConfig !== 'object' || axiosConfig === null)) {
    throw new SignetError('ERR_INVALID_OPTION', `createSignedAxios's second argument is axios's own config (an object): ${USAGE}.`);
  }
  // axios silently ignores keys it does not know: a Signet option put here would never take effect.
  const misplaced = SIGNED_AXIOS_OPTIONS.find((name) => axiosConfig !== undefined && Object.hasOwn(axiosConfig, name));
  if (misplaced !== undefined) {
    throw new SignetError('ERR_INVALID_OPTION', `${misplaced} is a Signet option, not an axios one: pass it in createSignedAxios's third argument: ${USAGE}.`);
  }
  const own = readSignedAxiosOptions(options, 'createSignedAxios', `pass it in createSignedAxios's second argument: ${USAGE}`);
  const instance = axios.create(axiosConfig);
  attachChecked(instance, signer, own);
  return instance;
}
