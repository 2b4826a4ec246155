import { SignetError } from '@signet/core';
import { type Arrival, authenticateThenRead } from './head-first.js';
import { type Limits, type RequestLimits, limitsOf } from './limits.js';
import { type Refusal, refusalOf, refusalReply } from './refusal.js';
import type { VerifiedClaims, Verifier } from './types.js';

/** What {@link verifyFetchRequest} resolves to. */
export interface VerifiedFetchRequest<C extends VerifiedClaims = VerifiedClaims> {
  /** The verified claims. */
  claims: C;
  /** The exact body bytes that were verified (the request's stream is consumed: read the body from here). */
  body: Uint8Array;
}

// The refusal each rejection of verifyFetchRequest stands for: a 431 and a 413 share one code, and whether the body
// was read decides `Connection: close`; refusalResponse() finds both here.
const refusals = new WeakMap<SignetError, Refusal>();

/**
 * Verifies a web-standard `Request` (Cloudflare Workers, `Deno.serve`, `Bun.serve`, Next.js route handlers, Hono):
 * first from its request line and headers alone, so an unsigned or forged request is refused without its body
 * being read; then it reads the body once, bounded (reading stops at `maxBodyBytes`), and binds it to the token.
 * Resolves to the claims and the verified bytes, or rejects with a `SignetError`; answer a rejection with
 * {@link refusalResponse}.
 *
 * The URL verified is the path + query of `request.url`, the request-target as the runtime received it: a proxy
 * or platform in front of the app must pass it on unchanged (no rewritten path, no re-encoded query).
 *
 * @example
 * ```ts
 * const verifier = requestVerifier({ publicKey });
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     try {
 *       const { claims, body } = await verifyFetchRequest(verifier, request);
 *       return Response.json({ merchant: claims.sub, bytes: body.length });
 *     } catch (error) {
 *       return refusalResponse(error);
 *     }
 *   },
 * };
 * ```
 */
export async function verifyFetchRequest<C extends VerifiedClaims = VerifiedClaims>(verifier: Verifier<C>, request: Request, options: RequestLimits = {}): Promise<VerifiedFetchRequest<C>> {
  return verifyWithLimits(verifier, limitsOf(verifier as Verifier, options, 'verifyFetchRequest'), request, 'verifyFetchRequest');
}

/**
 * The JSON refusal for a rejection of {@link verifyFetchRequest} (or of a verifier): the same status, headers and
 * `{ "error": "<code>", "message": "…" }` body as `signetMiddleware` sends: 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"`, 413 or 431 over the limits, 503 while the replay store or key lookup is down, 500 when the
 * body was already read by something else. Anything but a `SignetError` is a bug in the app and is thrown back.
 *
 * @example
 * ```ts
 * Deno.serve((request) => verifyFetchRequest(verifier, request).then(({ claims }) => new Response(claims.sub), refusalResponse));
 * ```
 */
export function refusalResponse(error: unknown): Response {
  const refusal = (error instanceof SignetError && refusals.get(error)) || refusalOf(error, true);
  const reply = refusalReply(refusal);
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/** @internal verifyFetchRequest with limits already read (a middleware reads them once). */
export async function verifyWithLimits<C extends VerifiedClaims>(verifier: Verifier<C>, limits: Limits, request: Request, fn: string): Promise<VerifiedFetchRequest<C>> {
  if (typeof request !== 'object' || request === null || typeof request.url !== 'string' || typeof request.headers?.get !== 'function') {
    throw new SignetError('ERR_INVALID_REQUEST', `${fn} needs the web-standard Request the server received.`);
  }
  const stream = request.body;
  const outcome = await authenticateThenRead(verifier as Verifier, limits, fetchArrival(request, fn), () => readStream(stream, limits.maxBodyBytes), new Uint8Array(0));
  if (outcome.kind === 'accepted') return { claims: outcome.claims as C, body: outcome.body };
  if (outcome.kind === 'misplaced') throw remember(outcome.error, { kind: 'refused', status: 500, code: outcome.error.code, message: outcome.error.message, bodyRead: false });
  if (outcome.kind === 'aborted') {
    const message = 'The client went away before its body arrived.';
    throw remember(new SignetError('ERR_INVALID_REQUEST', message), { kind: 'refused', status: 400, code: 'ERR_INVALID_REQUEST', message, bodyRead: false });
  }
  throw remember(new SignetError(outcome.code, outcome.message), outcome);
}

function remember(error: SignetError, refusal: Refusal): SignetError {
  refusals.set(error, refusal);
  return error;
}

function fetchArrival(request: Request, fn: string): Arrival {
  const { headers } = request;
  const target = new URL(request.url);
  const fields: Record<string, string> = {};
  headers.forEach((value, name) => {
    fields[name] = value;
  });
  return {
    // Headers joins repeated fields with ", ": a repeated credential header fails to parse, as it should.
    head: { method: request.method, url: target.pathname + target.search, headers: fields },
    headerSize: (name) => headers.get(name)?.length ?? 0,
    declaredLength: Number(headers.get('content-length') ?? 0),
    hasBody: request.body !== null,
    consumed: request.bodyUsed ? `The request body was already read: call ${fn} before anything reads the request (request.json(), …), and use the body it resolves to.` : undefined,
  };
}

/** Reads a body stream up to `limit` bytes; past it, stops reading (the rest stays unread) and says so. */
async function readStream(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | 'too-large' | 'aborted'> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) return 'too-large';
      chunks.push(value);
    }
  } catch {
    return 'aborted';
  } finally {
    reader.releaseLock();
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
