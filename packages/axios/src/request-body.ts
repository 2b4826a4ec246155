import { Buffer } from 'node:buffer';
import { SignetError } from '@signet/core';
import { abortedWhileReading, bodyTooLarge, collectWebStream } from '@signet/internal';

/** @internal The exact bytes to send and sign, and the Content-Type they need (multipart boundary, blob type). */
export interface WireBody {
  bytes: Buffer | undefined;
  /** The Content-Type these bytes need; it replaces the request's (a multipart boundary, a Blob's own type). */
  contentType?: string | undefined;
  /** A Content-Type to set only when the request has none. */
  defaultContentType?: string;
  /** True when the source could be read only once (a stream): retries must resend `bytes`. */
  consumed?: boolean;
}

interface NodeStreamLike {
  pipe: unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  resume?: () => unknown;
  destroy?: (error?: Error) => unknown;
}

/**
 * Turns axios's post-`transformRequest` data into the exact bytes that will be sent. Every type axios can send is
 * handled; anything else is refused, so nothing is ever sent with a hash of other bytes.
 * @internal
 */
export async function toWireBody(data: unknown, maxBufferedBytes: number, signal?: AbortSignal): Promise<WireBody> {
  if (data === undefined || data === null) return { bytes: undefined };
  if (typeof data === 'string') return nonEmpty(Buffer.from(data, 'utf8'));
  if (Buffer.isBuffer(data)) return nonEmpty(data);
  if (ArrayBuffer.isView(data)) return nonEmpty(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) return nonEmpty(Buffer.from(data));
  if (data instanceof URLSearchParams) {
    return { ...nonEmpty(Buffer.from(data.toString(), 'utf8')), defaultContentType: 'application/x-www-form-urlencoded;charset=utf-8' };
  }
  if (isSpecFormData(data)) {
    // Serialized once, by the platform's own multipart encoder; the boundary is fixed before anything is hashed.
    const response = new Response(toGlobalFormData(data));
    const bytes = Buffer.from(await response.arrayBuffer());
    return { bytes, contentType: response.headers.get('content-type') ?? undefined };
  }
  if (data instanceof Blob) {
    const bytes = Buffer.from(await data.arrayBuffer());
    return { ...nonEmpty(bytes), contentType: data.size > 0 ? data.type || 'application/octet-stream' : undefined };
  }
  if (isNodeStream(data)) {
    // The `form-data` package (what axios itself uses for multipart in Node) is a stream with its own headers.
    const { getHeaders } = data as { getHeaders?: () => Record<string, string> };
    const formHeaders = typeof getHeaders === 'function' ? getHeaders.call(data) : undefined;
    const bytes = await collectNodeStream(data, maxBufferedBytes, signal);
    return { ...nonEmpty(bytes), contentType: formHeaders?.['content-type'], consumed: true };
  }
  if (data instanceof ReadableStream) {
    return { ...nonEmpty(await collectWebStream(data, maxBufferedBytes, signal)), consumed: true };
  }
  throw new SignetError(
    'ERR_UNSUPPORTED_BODY',
    `A request body of type ${describe(data)} cannot be signed: after transformRequest it must be a string, Buffer, ` + 'ArrayBuffer, typed array, URLSearchParams, FormData, Blob or stream.',
  );
}

function nonEmpty(bytes: Buffer): WireBody {
  return { bytes: bytes.byteLength === 0 ? undefined : bytes };
}

function isSpecFormData(data: unknown): data is FormData {
  return (
    data instanceof FormData ||
    (typeof data === 'object' && data !== null && (data as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData' && typeof (data as { entries?: unknown }).entries === 'function')
  );
}

function toGlobalFormData(data: FormData): FormData {
  if (data instanceof FormData) return data;
  // Another implementation (a polyfill): copy its entries into the platform's FormData, which Response can encode.
  const foreign = data as unknown as { entries(): Iterable<[string, string | Blob]> };
  const copy = new FormData();
  try {
    for (const [name, value] of foreign.entries()) copy.append(name, value);
  } catch {
    throw new SignetError('ERR_UNSUPPORTED_BODY', 'This FormData implementation holds values the platform FormData cannot take; use the global FormData.');
  }
  return copy;
}

function isNodeStream(data: unknown): data is NodeStreamLike {
  return typeof data === 'object' && data !== null && typeof (data as NodeStreamLike).pipe === 'function' && typeof (data as NodeStreamLike).on === 'function';
}

function collectNodeStream(stream: NodeStreamLike, limit: number, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      stream.destroy?.();
      reject(error);
    };
    const onAbort = (): void => fail(abortedWhileReading());
    if (signal?.aborted) return fail(abortedWhileReading());
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer | string) => {
      if (settled) return;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      size += buffer.byteLength;
      if (size > limit) return fail(bodyTooLarge(limit));
      chunks.push(buffer);
    });
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(Buffer.concat(chunks, size));
    });
    stream.on('error', () => fail(new SignetError('ERR_UNSUPPORTED_BODY', 'The stream body failed while it was being read.')));
    stream.resume?.();
  });
}

function describe(data: unknown): string {
  if (typeof data !== 'object' || data === null) return typeof data;
  return data.constructor?.name ?? 'object';
}
