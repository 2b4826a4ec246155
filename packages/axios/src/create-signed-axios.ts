import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import type { Signer } from '@signet/core';
import { attachSigner } from './attach-signer.js';
import type { SignedAxiosOptions } from './options.js';

/**
 * An ordinary axios instance (interceptors, `validateStatus`, agents, proxies and cancellation all work as usual)
 * whose every request is signed over the exact bytes and path + query it sends.
 *
 * @example
 * ```ts
 * const api = createSignedAxios(requestSigner({ apiKey, privateKey }), { baseURL: 'https://api.example.com/v1' });
 * const { data } = await api.post('/payments', { amount: 100 }, { params: { dryRun: 1 } });
 * ```
 */
export function createSignedAxios(signer: Signer, axiosConfig?: CreateAxiosDefaults, options?: SignedAxiosOptions): AxiosInstance {
  const instance = axios.create(axiosConfig);
  attachSigner(instance, signer, options);
  return instance;
}
