import axios, { type InternalAxiosRequestConfig } from 'axios';
import { SignetError } from '@signet/core';

// An Axios with no defaults at all: its getUri applies baseURL, url, allowAbsoluteUrls, params and paramsSerializer
// exactly as axios does, and nothing a user set on the global axios.defaults can leak in.
const bare = new axios.Axios({});

/** @internal The request's final URL, and the path + query that goes on the request line. */
export interface WireUrl {
  /** Absolute URL without fragment; what the inner adapter is given, with no params left to append. */
  href: string;
  /** Path + query, percent-encoded: the `uri` the token is bound to. */
  uri: string;
  url: URL;
}

/**
 * Resolves the URL axios will request, as its node adapter does (`new URL(baseURL + url)`, then `params` appended
 * by `buildURL`), and parses the result once more. The inner adapter gets that absolute `href` and no `params`, so
 * its own parse is a round trip of an already normalized URL: the path it sends is `uri`, byte for byte.
 * @internal
 */
export function resolveWireUrl(config: InternalAxiosRequestConfig): WireUrl {
  let base: URL;
  try {
    const { url, baseURL, allowAbsoluteUrls } = config;
    const fullPath = bare.getUri({
      ...(url === undefined ? {} : { url }),
      ...(baseURL === undefined ? {} : { baseURL }),
      ...(allowAbsoluteUrls === undefined ? {} : { allowAbsoluteUrls }),
    });
    base = new URL(fullPath, config.socketPath ? 'http://localhost' : undefined);
  } catch {
    throw new SignetError('ERR_INVALID_URL', 'The request URL cannot be resolved to an absolute http(s) URL: set baseURL on the instance or pass an absolute url.');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new SignetError('ERR_INVALID_URL', `Only http: and https: requests can be signed, not ${base.protocol}.`);
  }
  const params: unknown = config.params;
  const pathAndQuery = bare.getUri({
    url: base.pathname + base.search,
    params,
    ...(config.paramsSerializer === undefined ? {} : { paramsSerializer: config.paramsSerializer }),
  });
  // Rebuilt on the parsed authority, never resolved as a relative reference: a normalized path may begin with "//"
  // ('/a/..//x'), which a relative reference would read as a host.
  const userinfo = base.username === '' ? '' : `${base.username}${base.password === '' ? '' : `:${base.password}`}@`;
  let url: URL;
  try {
    url = new URL(`${base.protocol}//${userinfo}${base.host}${pathAndQuery}`);
  } catch {
    throw new SignetError('ERR_INVALID_URL', 'The request URL with its params cannot be parsed.');
  }
  if (url.hash !== '' || pathAndQuery.includes('#')) {
    throw new SignetError('ERR_INVALID_URL', 'The serialized params contain a raw "#", which would cut the query short: encode it in paramsSerializer.');
  }
  return { href: url.href, uri: url.pathname + url.search, url };
}
