import axios, { AxiosHeaders, isAxiosError, type AxiosAdapter, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { SignetError, type Signer } from '@signet/core';
import { toWireBody } from './request-body.js';
import { resolveWireUrl } from './request-url.js';

const SIGNING = Symbol.for('@signet/axios.signing-adapter');

type AdapterSpec = AxiosRequestConfig['adapter'];

/** @internal */
export function isSigningAdapter(adapter: AdapterSpec): boolean {
  return typeof adapter === 'function' && SIGNING in adapter;
}

/**
 * Wraps an adapter (axios's own, or the user's) so that each attempt is signed at the last moment, after every
 * interceptor and `transformRequest` has run: the body is turned into its final bytes, the URL into its final
 * path + query, the signer signs exactly those, and the inner adapter is handed exactly those.
 * @internal
 */
export function signingAdapter(inner: AdapterSpec, signer: Signer, maxBufferedBodyBytes: number): AxiosAdapter {
  const adapter = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const wire = resolveWireUrl(config);
    const signal = config.signal instanceof AbortSignal ? config.signal : undefined;
    const body = await toWireBody(config.data, maxBufferedBodyBytes, signal);
    // A stream can be read once; a retry of this config (axios-retry) must find the bytes that were signed, with
    // the Content-Type that describes them (a form-data stream's multipart boundary).
    if (body.consumed) {
      config.data = body.bytes;
      if (body.contentType !== undefined) config.headers.set('Content-Type', body.contentType, true);
    }

    const headers = new AxiosHeaders(config.headers);
    // As axios's own adapter does: a multipart boundary or a Blob's type replaces the Content-Type axios preset.
    if (body.contentType !== undefined) headers.set('Content-Type', body.contentType, true);
    else if (body.defaultContentType !== undefined && !headers.has('Content-Type')) headers.set('Content-Type', body.defaultContentType);
    const signed = await signer.sign({ method: (config.method ?? 'get').toUpperCase(), url: wire.uri, body: body.bytes });
    const setsAuthorization = Object.keys(signed).some((name) => name.toLowerCase() === 'authorization');
    if (setsAuthorization && (config.auth || wire.url.username !== '' || wire.url.password !== '')) {
      // axios drops the Authorization header when HTTP Basic credentials are present: the request would go unsigned.
      throw new SignetError('ERR_AUTH_CONFLICT', 'This request carries HTTP Basic credentials (config.auth or user:password@ in the URL), which would replace the signed Authorization header.');
    }
    for (const [name, value] of Object.entries(signed)) headers.set(name, value, true);

    const sent: InternalAxiosRequestConfig = { ...config, url: wire.href, data: body.bytes, headers };
    delete sent.baseURL;
    delete sent.params;
    delete sent.paramsSerializer;
    try {
      const response = await axios.getAdapter(inner)(sent);
      // The caller (and axios-retry) keep seeing their own config, which holds no token.
      response.config = config;
      return response;
    } catch (error) {
      if (isAxiosError(error)) {
        error.config = config;
        if (error.response) error.response.config = config;
      }
      throw error;
    }
  };
  return Object.assign(adapter, { [SIGNING]: true });
}
