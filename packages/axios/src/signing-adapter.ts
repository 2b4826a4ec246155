import { Buffer } from 'node:buffer';
import axios, { AxiosError, AxiosHeaders, isAxiosError, type AxiosAdapter, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { SignetError } from '@signet/core';
import { type Answer, type Transport, assertOriginAllowed, sendSigned } from '@signet/internal';
import { type Redaction, redactOutcome, redactionOf } from './redact.js';
import { type WireBody, toWireBody } from './request-body.js';
import { resolveWireUrl } from './request-url.js';
import { liveTransport, withholdAgents } from './withheld-agents.js';

const SIGNING = Symbol.for('@signet/axios.signing-adapter');

type AdapterSpec = AxiosRequestConfig['adapter'];

/** @internal What one attachment of a signer knows: the signer, its limits, its origins, its view of the clock. */
export type SigningContext = Transport;

/** What one signed attempt ended in, and what must not be shown of it. */
interface Outcome {
  response?: AxiosResponse;
  error?: unknown;
  redaction: Redaction;
}

/** @internal */
export function isSigningAdapter(adapter: AdapterSpec): boolean {
  return typeof adapter === 'function' && SIGNING in adapter;
}

/**
 * Wraps an adapter (axios's own, or the user's) so that each attempt is signed at the last moment, after every
 * interceptor and `transformRequest` has run: the URL is checked against the pinned origins, the body is turned into
 * its final bytes and the URL into its final path + query, the signer signs exactly those, and the inner adapter is
 * handed exactly those. Redirects are not followed, and the errors and responses axios returns carry detached,
 * redacted request snapshots and no live agent, socket or request (see redact.ts and withheld-agents.ts).
 * @internal
 */
export function signingAdapter(inner: AdapterSpec, context: SigningContext): AxiosAdapter {
  const adapter = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    // Before anything can fail: every error and response axios builds from this config must reach no live agent.
    withholdAgents(config);
    assertNamedOriginAllowed(config, context.allowedOrigins);
    const wire = resolveWireUrl(config);
    assertOriginAllowed(wire.url, context.allowedOrigins);
    const started = Date.now();
    const timeout = typeof config.timeout === 'number' && config.timeout > 0 ? config.timeout : 0;
    const body = await bufferBody(config, context.maxBufferedBodyBytes, timeout);
    // A stream can be read once; a retry of this config (axios-retry) must find the bytes that were signed, with
    // the Content-Type that describes them (a form-data stream's multipart boundary).
    if (body.consumed) {
      config.data = body.bytes;
      if (body.contentType !== undefined) config.headers.set('Content-Type', body.contentType, true);
    }
    const baseHeaders = new AxiosHeaders(config.headers);
    // As axios's own adapter does: a multipart boundary or a Blob's type replaces the Content-Type axios preset.
    if (body.contentType !== undefined) baseHeaders.set('Content-Type', body.contentType, true);
    else if (body.defaultContentType !== undefined && !baseHeaders.has('Content-Type')) baseHeaders.set('Content-Type', body.defaultContentType);
    // A user who set maxRedirects: 0 asked to see redirects; otherwise a redirect is refused, never followed.
    const passRedirects = config.maxRedirects === 0;

    const send = async (signed: Record<string, string>): Promise<Outcome> => {
      const redaction = redactionOf(signed);
      const setsAuthorization = Object.keys(signed).some((name) => name.toLowerCase() === 'authorization');
      if (setsAuthorization && (config.auth || wire.url.username !== '' || wire.url.password !== '')) {
        // axios drops the Authorization header when HTTP Basic credentials are present: the request would go unsigned.
        throw new SignetError('ERR_AUTH_CONFLICT', 'This request carries HTTP Basic credentials (config.auth or user:password@ in the URL), which would replace the signed Authorization header.');
      }
      const headers = new AxiosHeaders(baseHeaders);
      for (const [name, value] of Object.entries(signed)) headers.set(name, value, true);
      const sent: InternalAxiosRequestConfig = {
        ...config,
        url: wire.href,
        data: body.bytes,
        headers,
        ...liveTransport(config),
        // The timeout covers buffering a stream body too: the request gets what is left of it.
        ...(timeout === 0 ? {} : { timeout: Math.max(1, timeout - (Date.now() - started)) }),
        // Credentials never follow a redirect: not Authorization, and not the custom headers follow-redirects keeps.
        maxRedirects: 0,
        fetchOptions: { ...(config.fetchOptions as object | undefined), redirect: 'manual' },
      };
      delete sent.baseURL;
      delete sent.params;
      delete sent.paramsSerializer;
      try {
        return { response: await axios.getAdapter(inner)(sent), redaction };
      } catch (error) {
        // axios names the timeout it was given, the remainder: name the one the caller set.
        if (isAxiosError(error) && sent.timeout !== undefined && error.message === `timeout of ${sent.timeout}ms exceeded`) {
          error.message = `timeout of ${timeout}ms exceeded`;
        }
        return { error, redaction };
      }
    };

    const outcome = await sendSigned<Outcome>(
      context,
      {
        method: (config.method ?? 'get').toUpperCase(),
        url: wire.uri,
        origin: wire.url.origin,
        body: body.bytes,
        headers: plainHeaders(baseHeaders),
        // Cancels a signature by a key held outside the process (HSM, KMS) when the request is aborted.
        ...(config.signal instanceof AbortSignal ? { signal: config.signal } : {}),
      },
      { send, answer: answerOf, release: (attempt) => scrub(attempt, config), passRedirects },
    );
    scrub(outcome, config);
    if (outcome.error !== undefined) throw outcome.error as unknown; // !== undefined narrows unknown to {}, which only-throw-error reads as a non-Error
    return outcome.response as AxiosResponse;
  };
  return Object.assign(adapter, { [SIGNING]: true });
}

/**
 * An absolute or protocol-relative url names a host, whatever axios then does with it (allowAbsoluteUrls: false
 * joins it below baseURL): a url that names another origin is refused, never sent under the pinned one.
 */
function assertNamedOriginAllowed(config: InternalAxiosRequestConfig, allowed: ReadonlySet<string>): void {
  const url = config.url;
  if (typeof url !== 'string' || !/^([a-z][a-z\d+\-.]*:)?\/\//i.test(url)) return;
  let named: URL;
  try {
    // A protocol-relative url takes the scheme of the baseURL, as a browser would take the page's.
    named = new URL(url, typeof config.baseURL === 'string' && /^https?:/i.test(config.baseURL) ? config.baseURL : 'http://invalid');
  } catch {
    throw new SignetError('ERR_INVALID_URL', 'The request url names a host but cannot be parsed.');
  }
  if (named.protocol === 'http:' || named.protocol === 'https:') assertOriginAllowed(named, allowed);
}

/**
 * The body's final bytes. Buffering a stream obeys the request's signal and its timeout, as sending it would:
 * a stalled stream ends in axios's own timeout error, and the stream is destroyed.
 */
async function bufferBody(config: InternalAxiosRequestConfig, limit: number, timeout: number): Promise<WireBody> {
  const userSignal = config.signal instanceof AbortSignal ? config.signal : undefined;
  if (timeout === 0) return toWireBody(config.data, limit, userSignal);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  userSignal?.addEventListener('abort', onAbort, { once: true });
  if (userSignal?.aborted) controller.abort();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  try {
    return await toWireBody(config.data, limit, controller.signal);
  } catch (error) {
    if (!timedOut) throw error;
    const code = config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
    throw new AxiosError(`timeout of ${timeout}ms exceeded`, code, config);
  } finally {
    clearTimeout(timer);
    userSignal?.removeEventListener('abort', onAbort);
  }
}

/** The headers axios will send, as far as they are known before its adapter runs (it adds User-Agent and Content-Length). */
function plainHeaders(headers: AxiosHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers.toJSON())) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = String(value);
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

function responseOf(outcome: { response?: AxiosResponse; error?: unknown }): AxiosResponse | undefined {
  return outcome.response ?? (isAxiosError(outcome.error) ? outcome.error.response : undefined);
}

/** Restores the caller's config (which holds no token) and detaches what the attempt returned from live state. */
function scrub(outcome: Outcome, config: InternalAxiosRequestConfig): void {
  redactOutcome(responseOf(outcome), outcome.error, config, outcome.redaction);
}

function answerOf(outcome: Outcome): Answer | undefined {
  const response = responseOf(outcome);
  if (response === undefined) return undefined;
  return {
    status: response.status,
    header: (name): unknown => response.headers[name],
    headers: () => {
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(AxiosHeaders.from(response.headers as AxiosHeaders).toJSON(true))) out[name.toLowerCase()] = String(value);
      return out;
    },
    text: () => Promise.resolve(textOf(response.data)),
  };
}

/** The body axios already read, as text: a string, bytes, or a JSON value it parsed; never a stream or a Blob. */
function textOf(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return Buffer.from(data as Uint8Array).toString('utf8');
  if (typeof data !== 'object' || data === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(data);
  return Array.isArray(data) || proto === Object.prototype || proto === null ? JSON.stringify(data) : undefined;
}
