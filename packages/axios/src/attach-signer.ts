import axios, { type AxiosInstance, type AxiosRequestTransformer, type InternalAxiosRequestConfig } from 'axios';
import { Buffer } from 'node:buffer';
import { SignetError, type Signer } from '@signet/core';
import { isSigner, transportOf } from '@signet/internal';
import { type SignedAxiosOptions, isAxiosInstance, readSignedAxiosOptions } from './options.js';
import { isSigningAdapter, signingAdapter } from './signing-adapter.js';
import { withholdAgents } from './withheld-agents.js';

const axiosDefaultTransform = ([] as AxiosRequestTransformer[]).concat(axios.defaults.transformRequest ?? [])[0];

/**
 * axios's default transform, except that a string is sent as it is (axios JSON-quotes or trims a string when the
 * Content-Type says JSON) and a typed array as its own bytes (axios sends the whole underlying ArrayBuffer).
 */
const signetDefaultTransform: AxiosRequestTransformer = function (this: InternalAxiosRequestConfig, data: unknown, headers) {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data) && !Buffer.isBuffer(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!axiosDefaultTransform) return data;
  const transformed: unknown = axiosDefaultTransform.call(this, data, headers);
  return transformed;
};

function withSignetTransform(transforms: InternalAxiosRequestConfig['transformRequest']): AxiosRequestTransformer[] {
  return ([] as AxiosRequestTransformer[]).concat(transforms ?? []).map((fn) => (fn === axiosDefaultTransform ? signetDefaultTransform : fn));
}

/**
 * Adds signing to an axios instance you already have: every request it sends from now on carries the signer's
 * headers, computed over the exact bytes and path + query it sends. Returns the function that removes it.
 *
 * @example
 * ```ts
 * const api = axios.create({ baseURL: 'https://api.example.com/v1', timeout: 5000 });
 * const detach = attachSigner(api, requestSigner({ apiKey, privateKey }));
 * await api.post('/payments', { amount: 100 });
 * detach(); // api is back to unsigned
 * ```
 */
export function attachSigner(instance: AxiosInstance, signer: Signer, options?: SignedAxiosOptions): () => void {
  const usage = 'attachSigner(instance, signer, options)';
  if (isSigner(instance) && isAxiosInstance(signer)) {
    throw new SignetError('ERR_INVALID_OPTION', `attachSigner takes the axios instance first, then the signer: ${usage}.`);
  }
  if (!isSigner(signer)) throw new SignetError('ERR_INVALID_OPTION', `attachSigner needs a Signer (e.g. from requestSigner()) as its second argument: ${usage}.`);
  if (!isAxiosInstance(instance)) throw new SignetError('ERR_INVALID_OPTION', `attachSigner needs an axios instance (from axios.create()) as its first argument: ${usage}.`);
  return attachChecked(instance, signer, readSignedAxiosOptions(options, 'attachSigner', "set it on the instance (axios.create({ … })), not in attachSigner's options"));
}

/** @internal {@link attachSigner} once its arguments are known to be what they should be. */
export function attachChecked(instance: AxiosInstance, signer: Signer, options: Partial<SignedAxiosOptions>): () => void {
  if (isSigningAdapter(instance.defaults.adapter)) {
    throw new SignetError('ERR_INVALID_OPTION', 'This axios instance already has a signer attached; call its detach function first.');
  }
  const context = transportOf(signer, instance.defaults.baseURL, options);
  const original = instance.defaults.adapter;
  const signing = signingAdapter(original, context);
  instance.defaults.adapter = signing;

  // A request, or any interceptor, may name its own adapter: the last interceptor to run wraps whatever adapter
  // the config holds by then, so no request of this instance leaves unsigned. axios runs request interceptors in
  // reverse order of registration, or in order with transitional.legacyInterceptorReqResOrdering: false; this one
  // is idempotent and yielded both first and last, so it runs last in either mode, whenever others were added.
  const signingInterceptor = {
    fulfilled: (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
      if (!isSigningAdapter(config.adapter)) config.adapter = signingAdapter(config.adapter ?? original, context);
      // axios's own errors before the adapter (a signal already aborted) carry this config: no live agent on it.
      withholdAgents(config);
      config.transformRequest = withSignetTransform(config.transformRequest);
      return config;
    },
    rejected: undefined,
    synchronous: true,
    runWhen: null,
  };
  const manager = instance.interceptors.request as unknown as { forEach: (this: unknown, fn: (interceptor: unknown) => void) => void };
  const hadOwnForEach = Object.hasOwn(manager, 'forEach');
  const ownForEach = manager.forEach;
  manager.forEach = function forEachWithSigner(this: unknown, fn: (interceptor: unknown) => void): void {
    fn(signingInterceptor);
    ownForEach.call(this, fn);
    fn(signingInterceptor);
  };
  return () => {
    if (hadOwnForEach) manager.forEach = ownForEach;
    else delete (manager as { forEach?: unknown }).forEach;
    if (instance.defaults.adapter === signing) {
      if (original === undefined) delete instance.defaults.adapter;
      else instance.defaults.adapter = original;
    }
  };
}
