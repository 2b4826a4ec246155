import { ClientRequest, IncomingMessage } from 'node:http';
import { PassThrough, pipeline } from 'node:stream';
import { type AxiosResponse, type InternalAxiosRequestConfig, isAxiosError } from 'axios';

const REDACTED = '[REDACTED]';
/** Headers that carry a credential whoever set them (a proxy's Basic credentials, a cookie): never shown. */
const ALWAYS_REDACTED = new Set(['authorization', 'proxy-authorization', 'cookie']);
/** How many causes deep a cause chain is copied; a longer chain is cut there. */
const MAX_CAUSE_DEPTH = 8;

/** @internal What one signed attempt must not show: the signed headers' names (lower case) and values. */
export interface Redaction {
  names: ReadonlySet<string>;
  values: readonly string[];
}

/** @internal */
export function redactionOf(signed: Record<string, string>): Redaction {
  return { names: new Set(Object.keys(signed).map((name) => name.toLowerCase())), values: Object.values(signed).filter((value) => value !== '') };
}

/**
 * What an error's or a response's `request` is once Signet has handled it: a frozen copy of the request that was
 * sent, with the signed header values (and any Authorization, Proxy-Authorization or Cookie) replaced by
 * `[REDACTED]`. It is detached on purpose: a live `ClientRequest` reaches its socket and agent, and through them
 * every other request in flight on the same keep-alive agent, credentials included.
 * @internal
 */
export interface SentRequest {
  readonly method: string | undefined;
  /** `http:` or `https:` (from a Node request). */
  readonly protocol?: string;
  readonly host?: string;
  /** Path and query as sent (from a Node request). */
  readonly path?: string;
  /** The full URL (from a fetch Request). */
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

function scrubText(text: string, redaction: Redaction): string {
  return redaction.values.reduce((out, value) => out.split(value).join(REDACTED), text);
}

function headerValue(name: string, value: unknown, redaction: Redaction): string | readonly string[] {
  const lower = name.toLowerCase();
  const hidden = redaction.names.has(lower) || ALWAYS_REDACTED.has(lower);
  const one = (entry: unknown): string => (hidden ? REDACTED : scrubText(String(entry), redaction));
  return Array.isArray(value) ? Object.freeze(value.map(one)) : one(value);
}

function text(value: unknown, redaction: Redaction): string | undefined {
  return typeof value === 'string' ? scrubText(value, redaction) : undefined;
}

/** @internal A detached, redacted {@link SentRequest} for the request object an adapter returned. */
export function snapshotRequest(request: unknown, redaction: Redaction): unknown {
  if (typeof request !== 'object' || request === null) return request;
  const headers: Record<string, string | readonly string[]> = {};
  if (request instanceof ClientRequest) {
    for (const [name, value] of Object.entries(request.getHeaders())) if (value !== undefined) headers[name] = headerValue(name, value, redaction);
    return Object.freeze<SentRequest>({
      method: request.method,
      protocol: request.protocol,
      host: request.host,
      path: scrubText(request.path, redaction),
      headers: Object.freeze(headers),
    });
  }
  // The fetch adapter's Request, or whatever another adapter returned: its method, its URL, its headers if it has any.
  const { method, url, headers: given } = request as { method?: unknown; url?: unknown; headers?: unknown };
  if (given instanceof Headers) given.forEach((value, name) => (headers[name] = headerValue(name, value, redaction)));
  return Object.freeze<SentRequest>({ method: text(method, redaction), url: text(url, redaction), headers: Object.freeze(headers) });
}

/**
 * A copy of an error that keeps what a log needs (name, message, stack, code, errno, syscall, address, port) and
 * its causes, copied the same way, and nothing else: a transport error can hold sockets, requests and agents.
 */
function detachedError(error: unknown, redaction: Redaction, depth = 0): unknown {
  if (typeof error === 'string') return scrubText(error, redaction);
  if (!(error instanceof Error)) return typeof error === 'object' || typeof error === 'function' ? undefined : error;
  const copy = new Error(scrubText(String(error.message), redaction));
  const fields = error as unknown as Record<string, unknown>;
  // Not isAxiosError: the copy has no config, request or response, and code that checks the flag expects them.
  const keys = new Set(['name', 'code', 'errno', 'syscall', 'address', 'port', ...Object.keys(error)]);
  keys.delete('isAxiosError');
  for (const key of keys) {
    const value = fields[key];
    if (typeof value === 'string') Object.assign(copy, { [key]: scrubText(value, redaction) });
    else if (typeof value === 'number' || typeof value === 'boolean') Object.assign(copy, { [key]: value });
  }
  if (typeof error.stack === 'string') copy.stack = scrubText(error.stack, redaction);
  if (depth < MAX_CAUSE_DEPTH && error.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: detachedError(error.cause, redaction, depth + 1), writable: true, configurable: true });
  }
  if (depth < MAX_CAUSE_DEPTH && Array.isArray(fields['errors'])) {
    Object.assign(copy, { errors: fields['errors'].map((entry: unknown) => detachedError(entry, redaction, depth + 1)) });
  }
  return copy;
}

/**
 * A `responseType: 'stream'` body is the socket's IncomingMessage, which reaches the request and its agent: hand
 * out a stream fed by it instead, which ends, fails and is destroyed with it.
 */
function detachedBody(data: unknown): unknown {
  if (!(data instanceof IncomingMessage)) return data;
  return pipeline(data, new PassThrough(), () => undefined);
}

/**
 * Makes what axios returns for one attempt safe to log at any depth: the caller's config (which holds no token,
 * and whose agents were withheld) instead of the signed one, detached redacted snapshots instead of live request
 * objects, detached copies of the error's causes, and a stream body that does not lead back to the socket.
 * @internal
 */
export function redactOutcome(response: AxiosResponse | undefined, error: unknown, config: InternalAxiosRequestConfig, redaction: Redaction): void {
  const snapshots = new Map<unknown, unknown>();
  const snapshot = (request: unknown): unknown => {
    if (!snapshots.has(request)) snapshots.set(request, snapshotRequest(request, redaction));
    return snapshots.get(request);
  };
  if (response) {
    response.config = config;
    response.request = snapshot(response.request);
    response.data = detachedBody(response.data);
  }
  if (isAxiosError(error)) {
    error.config = config;
    error.request = snapshot(error.request);
    if (error.cause !== undefined) {
      Object.defineProperty(error, 'cause', { value: detachedError(error.cause, redaction), writable: true, configurable: true, enumerable: false });
    }
  }
}
