import { Buffer } from 'node:buffer';
import { SignetError } from '@signet/core';

// What every transport adapter (@signet/axios, @signet/fetch) enforces the same way.

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UNSAFE_HEADER_VALUE = /[\0-\x08\n-\x1f\x7f]/;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** @internal The origins credentials may go to: the base URL's and the listed ones. None at all is a configuration error. */
export function pinnedOrigins(baseURL: unknown, allowed: unknown): ReadonlySet<string> {
  const origins = new Set<string>();
  if (allowed !== undefined) {
    if (!Array.isArray(allowed)) throw new SignetError('ERR_INVALID_OPTION', 'allowedOrigins must be a list of origins such as "https://api.example.com".');
    for (const entry of allowed) origins.add(originOf(entry, 'allowedOrigins'));
  }
  if (typeof baseURL === 'string' && /^https?:\/\//i.test(baseURL)) origins.add(originOf(baseURL, 'baseURL'));
  if (origins.size === 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'A signed client must know where its credentials may go: give it an absolute http(s) baseURL, or allowedOrigins.');
  }
  return origins;
}

function originOf(value: unknown, what: string): string {
  try {
    const url = new URL(String(value));
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // fall through
  }
  throw new SignetError('ERR_INVALID_OPTION', `${what} must hold absolute http(s) URLs or origins.`);
}

/** @internal Refuses a request for an origin the client is not pinned to, before any byte is read or sent. */
export function assertOriginAllowed(url: URL, allowed: ReadonlySet<string>): void {
  if (!allowed.has(url.origin)) {
    throw new SignetError(
      'ERR_ORIGIN_NOT_ALLOWED',
      `This signed client sends credentials only to ${[...allowed].join(', ')}; the request is for another origin. Use an unsigned client for it, or add it to allowedOrigins.`,
    );
  }
}

/** @internal The signed headers must be real header names and values; returns the values, which are credentials. */
export function checkSignedHeaders(signed: Record<string, string>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(signed)) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || UNSAFE_HEADER_VALUE.test(value)) {
      throw new SignetError('ERR_INVALID_REQUEST', 'The signer returned a header name or value that is not a valid header (control characters such as CR or LF are refused).');
    }
    values.push(value);
  }
  return values;
}

/** @internal A redirect answer, which signed requests never follow. */
export function refusedRedirect(status: number, location: unknown): SignetError | undefined {
  if (!REDIRECTS.has(status) || location === undefined || location === null) return undefined;
  return new SignetError('ERR_REDIRECT_REFUSED', `The server answered ${status} with a redirect; signed requests do not follow redirects. Request the new location yourself.`);
}

/** @internal The error of a request aborted while its stream body was being read. */
export function abortedWhileReading(): SignetError {
  return new SignetError('ERR_INVALID_REQUEST', 'The request was aborted while its stream body was being read.');
}

/** @internal */
export function bodyTooLarge(limit: number): SignetError {
  return new SignetError('ERR_BODY_TOO_LARGE', `The stream body exceeds maxBufferedBodyBytes (${limit} bytes). A stream is buffered to be hashed: raise the limit or send a Buffer.`);
}

/** @internal {@link collectWebStreamBytes} as one Buffer (what axios sends). */
export async function collectWebStream(stream: ReadableStream<unknown>, limit: number, signal?: AbortSignal): Promise<Buffer> {
  const bytes = await collectWebStreamBytes(stream, limit, signal);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * @internal Reads a web ReadableStream of bytes into one Uint8Array, refusing more than `limit` bytes. No Buffer: the
 * fetch adapter runs where there is none (Workers without nodejs_compat, browsers).
 */
export async function collectWebStreamBytes(stream: ReadableStream<unknown>, limit: number, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // An abort must also end a read that is waiting for data: cancelling the reader settles it.
  const onAbort = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) throw abortedWhileReading();
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortedWhileReading();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new SignetError('ERR_UNSUPPORTED_BODY', 'A ReadableStream body must yield Uint8Array chunks.');
      size += value.byteLength;
      if (size > limit) throw bodyTooLarge(limit);
      // A copy: a stream may reuse its chunk's memory once it is read.
      chunks.push(value.slice());
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
