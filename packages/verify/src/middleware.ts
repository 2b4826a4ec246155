import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignetError, type SignetErrorCode } from '@signet/core';
import type { VerifiedClaims, Verifier } from './types.js';

/** Options of {@link signetMiddleware} and {@link withSignet}. */
export interface SignetMiddlewareOptions {
  /** The largest body accepted, in bytes; a larger one is answered 413 before any cryptography. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** The largest value of each header the scheme reads (e.g. Authorization); larger: 431, before any cryptography. @default 8192 */
  maxHeaderBytes?: number;
  /**
   * Set `req.body` from the verified bytes: JSON content types parsed, `application/x-www-form-urlencoded` as an
   * object, anything else as the Buffer (body parsers mounted later skip the request, as its stream is consumed).
   * @default true
   */
  parseBody?: boolean;
}

/** What the middleware adds to a request it verified. */
export interface SignetRequestFields {
  /** The verified claims. */
  signet?: VerifiedClaims;
  /** The exact body bytes that were verified. */
  rawBody?: Buffer;
  body?: unknown;
}

type Outcome =
  | { ok: true; claims: VerifiedClaims; body: Buffer }
  | { ok: false; status: number; code: SignetErrorCode; message: string };

interface Limits {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  parseBody: boolean;
}

function limitsOf(verifier: Verifier, options: SignetMiddlewareOptions): Limits {
  if (typeof verifier?.verify !== 'function' || !Array.isArray(verifier.headers)) {
    throw new SignetError('ERR_INVALID_OPTION', 'The middleware needs a Verifier (requestVerifier(), portOneVerifier(), twoCheckoutVerifier()).');
  }
  if (typeof options !== 'object' || options === null) throw new SignetError('ERR_INVALID_OPTION', 'The middleware options must be an object.');
  const { maxBodyBytes = 1024 * 1024, maxHeaderBytes = 8192, parseBody = true } = options;
  for (const [name, value] of [['maxBodyBytes', maxBodyBytes], ['maxHeaderBytes', maxHeaderBytes]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new SignetError('ERR_INVALID_OPTION', `${name} must be a whole number of bytes.`);
  }
  return { maxBodyBytes, maxHeaderBytes, parseBody };
}

/**
 * Express middleware (4 and 5): verifies each request with `verifier` over the raw body bytes, before any body
 * parser, and either passes it on with `req.signet` (the claims) and `req.rawBody`, or answers 401 with
 * `{ "error": "<code>", "message": "…" }` (413/431 for a body or header over the limits, checked first).
 * Mount it before body parsers; it parses the body itself (see `parseBody`).
 *
 * @example
 * ```ts
 * app.use('/v1', signetMiddleware(requestVerifier({ publicKey })));
 * app.post('/v1/payments', (req, res) => res.json({ merchant: req.signet.sub, amount: req.body.amount }));
 * ```
 */
export function signetMiddleware(
  verifier: Verifier,
  options: SignetMiddlewareOptions = {},
): (req: IncomingMessage & SignetRequestFields & { originalUrl?: string }, res: ServerResponse, next: (error?: unknown) => void) => void {
  const limits = limitsOf(verifier, options);
  return (req, res, next) => {
    authenticate(req, verifier, limits, req.originalUrl ?? req.url ?? '').then((outcome) => {
      if (!outcome.ok) return refuse(res, outcome);
      accept(req, outcome, limits);
      next();
    }, next);
  };
}

/**
 * The same for a plain `node:http` server: wraps a handler, which runs only for verified requests and receives
 * the claims and the raw body.
 *
 * @example
 * ```ts
 * http.createServer(withSignet(verifier, (req, res, claims, body) => res.end(`hello ${claims.sub}`))).listen(8080);
 * ```
 */
export function withSignet(
  verifier: Verifier,
  handler: (req: IncomingMessage & SignetRequestFields, res: ServerResponse, claims: VerifiedClaims, body: Buffer) => void,
  options: SignetMiddlewareOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const limits = limitsOf(verifier, options);
  return (req: IncomingMessage & SignetRequestFields, res) => {
    const fail = (): void => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal"}');
    };
    authenticate(req, verifier, limits, req.url ?? '').then((outcome) => {
      if (!outcome.ok) return refuse(res, outcome);
      accept(req, outcome, limits);
      // Called from a promise callback: a throwing handler would become an unhandled rejection, so it is answered here.
      try {
        handler(req, res, outcome.claims, outcome.body);
      } catch {
        fail();
      }
    }, fail);
  };
}

async function authenticate(req: IncomingMessage, verifier: Verifier, limits: Limits, url: string): Promise<Outcome> {
  for (const name of verifier.headers) {
    const value = req.headers[name];
    const size = Array.isArray(value) ? value.reduce((sum, item) => sum + item.length, 0) : (value?.length ?? 0);
    if (size > limits.maxHeaderBytes) return tooLarge(431, `The ${name} header is larger than ${limits.maxHeaderBytes} bytes.`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBodyBytes) return tooLarge(413, `The body is larger than ${limits.maxBodyBytes} bytes.`);
  const body = await readBody(req, limits.maxBodyBytes);
  if (body === undefined) return tooLarge(413, `The body is larger than ${limits.maxBodyBytes} bytes.`);
  try {
    const claims = await verifier.verify({ method: req.method ?? 'GET', url, headers: req.headers, body });
    return { ok: true, claims, body };
  } catch (error) {
    if (!(error instanceof SignetError)) throw error;
    return { ok: false, status: error.code === 'ERR_REPLAY_STORE_FULL' ? 503 : 401, code: error.code, message: error.message };
  }
}

function tooLarge(status: number, message: string): Outcome {
  return { ok: false, status, code: 'ERR_REQUEST_TOO_LARGE', message };
}

/** The body's bytes, or `undefined` once more than `limit` arrive (then the rest is left unread). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (req.readableEnded) {
    return Promise.reject(new Error('signetMiddleware must run before any body parser: the request body was already consumed.'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function refuse(res: ServerResponse, outcome: Extract<Outcome, { ok: false }>): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (outcome.status === 401) headers['www-authenticate'] = `Bearer error="invalid_token"`;
  // An unread body (413) cannot be drained cheaply: close the connection after answering.
  if (outcome.status === 413) headers['connection'] = 'close';
  res.writeHead(outcome.status, headers);
  res.end(JSON.stringify({ error: outcome.code, message: outcome.message }));
}

function accept(req: IncomingMessage & SignetRequestFields, outcome: Extract<Outcome, { ok: true }>, limits: Limits): void {
  req.signet = outcome.claims;
  req.rawBody = outcome.body;
  // body-parser (express.json() and friends) skips a request whose body was already read.
  (req as { _body?: boolean })._body = true;
  if (!limits.parseBody || req.body !== undefined) return;
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const text = (): string => outcome.body.toString('utf8');
  if (outcome.body.length === 0) req.body = undefined;
  else if (/^application\/([\w.+-]+\+)?json\b/.test(type)) {
    try {
      req.body = JSON.parse(text());
    } catch {
      req.body = outcome.body;
    }
  } else if (type.startsWith('application/x-www-form-urlencoded')) req.body = Object.fromEntries(new URLSearchParams(text()));
  else req.body = outcome.body;
}
