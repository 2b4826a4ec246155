import { SignetError, type Signer } from '@signet/core';
import { type Answer, TRANSPORT_OPTIONS, assertOriginAllowed, assertSignerFirst, collectWebStreamBytes, optionNames, readOptions, sendSigned, transportOf } from '@signet/internal';

/** The fetch function signature, global or from undici. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch `init` whose body may also be a plain object or array, sent as JSON. */
export type SignedRequestInit = Omit<RequestInit, 'body'> & { body?: BodyInit | null | Record<string, unknown> | unknown[] };

/** Options of {@link createSignedFetch}. */
export interface SignedFetchOptions {
  /**
   * Prefix of relative URLs, with its path: `baseURL: 'https://api.example.com/v1'` and `'/payments'` request
   * `https://api.example.com/v1/payments`. Its origin is one the credentials may go to.
   * @default undefined (absolute URLs only, to `allowedOrigins`)
   */
  baseURL?: string;
  /** The fetch to send with (e.g. undici's). @default globalThis.fetch */
  fetch?: FetchLike;
  /** Further origins the credentials may go to; every other origin is refused before a byte is sent. @default [] */
  allowedOrigins?: readonly string[];
  /**
   * The most bytes of a stream body (a ReadableStream, or the body of a Request passed as input) buffered so they
   * can be hashed; bodies already in memory are not limited. @default 10485760 (10 MiB)
   */
  maxBufferedBodyBytes?: number;
  /**
   * `'auto'` learns how far the server's clock is from this host's from its `Date` header (pinned origins only,
   * within `maxClockSkewSeconds`) and signs on the server's clock (the signer gets it as `signingTime`); a 401 that
   * reveals a skew of 5 s or more is signed again and resent once. `'off'` signs on the signer's own clock.
   * @default 'off'
   */
  clockSkew?: 'off' | 'auto';
  /** The largest clock skew `clockSkew: 'auto'` will believe, in seconds. @default 600 */
  maxClockSkewSeconds?: number;
}

/**
 * Where credentials may go, which {@link createSignedFetch} must know: an absolute `baseURL`, or `allowedOrigins`
 * (then every request URL is absolute), or both.
 */
export type SignedFetchTarget = { baseURL: string } | { allowedOrigins: readonly string[] };

/** The function {@link createSignedFetch} returns: fetch's signature, with plain objects and arrays sent as JSON. */
export type SignedFetch = (input: string | URL | Request, init?: SignedRequestInit) => Promise<Response>;

const SIGNED_FETCH_OPTIONS = [...optionNames<Pick<SignedFetchOptions, 'baseURL' | 'fetch'>>({ baseURL: true, fetch: true }), ...TRANSPORT_OPTIONS];
const USAGE = "createSignedFetch(signer, { baseURL: 'https://api.example.com/v1' })";

/**
 * A function with fetch's signature that signs every request over the exact bytes and path + query it sends: the
 * body is serialized once by the platform (FormData with its boundary, URLSearchParams, Blob, streams buffered up
 * to a limit), hashed, and those very bytes are sent. Credentials go only to the pinned origins, and redirects are
 * never followed with them: a redirect answer rejects with `ERR_REDIRECT_REFUSED`, unless you pass
 * `redirect: 'manual'` yourself to receive it.
 *
 * @example
 * ```ts
 * const signedFetch = createSignedFetch(requestSigner({ apiKey, privateKey }), { baseURL: 'https://api.example.com/v1' });
 * const response = await signedFetch('/payments?dryRun=1', { method: 'POST', body: { amount: 1250 } });
 * ```
 */
export function createSignedFetch(signer: Signer, options: SignedFetchOptions & SignedFetchTarget): SignedFetch {
  assertSignerFirst(signer, options, 'createSignedFetch', 'the options', USAGE);
  const own = readOptions<SignedFetchOptions>(options, 'createSignedFetch', SIGNED_FETCH_OPTIONS, 'a baseURL or allowedOrigins');
  const { baseURL, fetch: send = globalThis.fetch } = own;
  if (typeof send !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'fetch must be a function with the fetch signature.');
  if (baseURL !== undefined && !/^https?:\/\//i.test(String(baseURL))) throw new SignetError('ERR_INVALID_OPTION', 'baseURL must be an absolute http(s) URL.');
  const transport = transportOf(signer, baseURL, own);
  const { allowedOrigins: allowed, maxBufferedBodyBytes } = transport;

  return async (input, givenInit = {}) => {
    // The init's own properties only, and no prototype for the platform to read a polluted redirect or body from.
    const init = ownInit(givenInit);
    const url = resolveUrl(input, baseURL);
    assertOriginAllowed(url, allowed);
    // The platform's own Request serializes the body once (FormData boundary, URLSearchParams, Blob type) and fixes
    // the headers that describe it; its bytes are what is hashed and what is sent.
    const { body: rawBody, ...rest } = init;
    const json = isPlainJson(rawBody);
    const request = new Request(
      url,
      ownInit({
        ...(input instanceof Request ? requestInit(input) : {}),
        ...rest,
        ...(rawBody === undefined ? {} : { body: json ? JSON.stringify(rawBody) : rawBody }),
        ...(rawBody !== undefined && rawBody !== null ? { duplex: 'half' } : {}),
      }),
    );
    // A string body gets text/plain from the platform; an object sent as JSON is application/json unless you said otherwise.
    if (json && !new Headers(rest.headers).has('content-type')) request.headers.set('content-type', 'application/json');
    // Taken before the body is read: Bun (1.4) fills in the Content-Type of a URLSearchParams or FormData body lazily,
    // and a Request whose body was read before its headers were looked at has none (the boundary would be lost).
    const requestHeaders = new Headers(request.headers);
    // A stream (given as the body or inside a Request) is buffered up to the limit; a body already in memory is not limited.
    const streamed = rawBody instanceof ReadableStream || (rawBody === undefined && input instanceof Request);
    const body = request.body === null ? undefined : streamed ? await collectWebStreamBytes(request.body, maxBufferedBodyBytes, request.signal) : new Uint8Array(await request.arrayBuffer());
    const bytes = body === undefined || body.length === 0 ? undefined : body;
    const wantsRedirects = (init.redirect ?? (input instanceof Request ? input.redirect : undefined)) === 'manual';
    const response = await sendSigned<Response>(
      transport,
      { method: request.method, url: url.pathname + url.search, origin: url.origin, body: bytes, headers: plainHeaders(requestHeaders), signal: request.signal },
      {
        send: (signed) => {
          const headers = new Headers(requestHeaders);
          for (const [name, value] of Object.entries(signed)) headers.set(name, value);
          return send(
            url.href,
            ownInit<RequestInit>({
              method: request.method,
              headers,
              signal: request.signal,
              redirect: 'manual',
              // The very bytes that were hashed (the DOM typings only lack a Uint8Array's ArrayBufferLike).
              ...(bytes === undefined ? {} : { body: bytes as unknown as BodyInit }),
            }),
          );
        },
        answer: (sent): Answer => ({
          status: sent.status,
          header: (name) => sent.headers.get(name) ?? undefined,
          headers: () => plainHeaders(sent.headers),
          // A clone, so that the caller still gets the body unread.
          text: () =>
            sent
              .clone()
              .text()
              .catch(() => undefined),
        }),
        release: (sent) => sent.body?.cancel().catch(() => undefined),
        passRedirects: wantsRedirects,
      },
    );
    return response;
  };
}

/** Headers as a plain record, names lower-cased: what the platform will send, as far as it is known when signing. */
function plainHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** A copy of an init's own enumerable properties on a null prototype: fetch reads inherited ones too. */
function ownInit<T extends object>(init: T): T {
  if (typeof init !== 'object' || init === null) throw new SignetError('ERR_INVALID_REQUEST', 'The fetch init must be an object.');
  return Object.assign(Object.create(null) as T, init);
}

function resolveUrl(input: string | URL | Request, baseURL: string | undefined): URL {
  const raw = input instanceof Request ? input.url : String(input);
  let url: URL;
  try {
    // As axios decides: absolute means "scheme://" or "//"; 'things:batchGet' under a baseURL is a relative path.
    url = /^[a-z][a-z\d+\-.]*:\/\//i.test(raw) || baseURL === undefined ? new URL(raw) : new URL(joinBase(baseURL, raw));
  } catch {
    throw new SignetError('ERR_INVALID_URL', 'The request URL cannot be resolved to an absolute http(s) URL: set baseURL or pass an absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SignetError('ERR_INVALID_URL', `Only http: and https: requests can be signed, not ${url.protocol}.`);
  }
  url.hash = '';
  return url;
}

/** As axios does: a relative URL, with or without a leading slash, goes below the base URL's path. */
function joinBase(baseURL: string, relative: string): string {
  // A protocol-relative URL names another host: resolve it as the platform would, so origin pinning judges it.
  if (relative.startsWith('//')) return new URL(relative, baseURL).href;
  return relative === '' ? baseURL : `${baseURL.replace(/\/+$/, '')}/${relative.replace(/^\/+/, '')}`;
}

function isPlainJson(body: unknown): body is Record<string, unknown> | unknown[] {
  if (typeof body !== 'object' || body === null) return false;
  const proto: unknown = Object.getPrototypeOf(body);
  return Array.isArray(body) || proto === Object.prototype || proto === null;
}

function requestInit(request: Request): RequestInit {
  return { method: request.method, headers: request.headers, body: request.body, signal: request.signal, duplex: 'half' } as RequestInit;
}
