import type { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignetError } from '@signet/core';
import { readOptions } from '@signet/internal';
import { type Outcome, authenticateRequest } from './authenticate-request.js';
import type { VerifiedClaims, Verifier } from './types.js';

/** Options of {@link signetMiddleware} and {@link withSignet}. */
export interface SignetMiddlewareOptions {
  /** The largest body accepted, in bytes; a larger one is answered 413 before it is read. @default 1048576 (1 MiB) */
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
export interface SignetRequestFields<C extends VerifiedClaims = VerifiedClaims> {
  /** The verified claims. */
  signet?: C;
  /** The exact body bytes that were verified. */
  rawBody?: Buffer;
  body?: unknown;
}

declare global {
  // Express's own augmentation point: `req.signet` and `req.rawBody` type-check in Express handlers.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The claims `signetMiddleware` verified; absent on routes it does not guard. */
      signet?: VerifiedClaims;
      /** The exact body bytes `signetMiddleware` verified. */
      rawBody?: Buffer;
    }
  }
}

/** @internal */
export interface Limits {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  parseBody: boolean;
}

function limitsOf(verifier: Verifier, options: unknown, fn: string): Limits {
  if (typeof verifier?.authenticate !== 'function' || !Array.isArray(verifier.headers)) {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs a Verifier (requestVerifier(), portOneVerifier(), twoCheckoutVerifier()) as its first argument.`);
  }
  const own = readOptions<SignetMiddlewareOptions>(options, `${fn} options`, ['maxBodyBytes', 'maxHeaderBytes', 'parseBody']);
  const { maxBodyBytes = 1024 * 1024, maxHeaderBytes = 8192, parseBody = true } = own;
  for (const [name, value] of [['maxBodyBytes', maxBodyBytes], ['maxHeaderBytes', maxHeaderBytes]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new SignetError('ERR_INVALID_OPTION', `${name} must be a whole number of bytes.`);
  }
  if (typeof parseBody !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'parseBody must be true or false.');
  return { maxBodyBytes, maxHeaderBytes, parseBody };
}

/**
 * Express middleware (4 and 5). It authenticates each request from its request line and headers first, so an
 * unsigned or forged request is answered 401 at once, without its body being read; then reads the raw body (bounded),
 * binds it to the token, and passes the request on with `req.signet` (the claims) and `req.rawBody`. Refusals are
 * `{ "error": "<code>", "message": "…" }` with 401 (413/431 for a body or header over the limits, checked first;
 * 503 when the replay store or key lookup is down). Mount it before body parsers; it parses the body itself.
 *
 * @example
 * ```ts
 * app.use('/v1', signetMiddleware(requestVerifier({ publicKey })));
 * app.post('/v1/payments', (req, res) => res.json({ merchant: req.signet?.sub, amount: req.body.amount }));
 * ```
 */
export function signetMiddleware(
  verifier: Verifier,
  options: SignetMiddlewareOptions = {},
): (req: IncomingMessage & SignetRequestFields & { originalUrl?: string }, res: ServerResponse, next: (error?: unknown) => void) => void {
  const limits = limitsOf(verifier, options, 'signetMiddleware');
  return (req, res, next) => {
    authenticateRequest(req, verifier, limits, req.originalUrl ?? req.url ?? '').then((outcome) => {
      if (outcome.kind === 'accepted') {
        accept(req, outcome, limits);
        next();
      } else if (outcome.kind === 'refused') refuse(res, outcome);
      else if (outcome.kind === 'misplaced') next(outcome.error);
      // 'aborted': the client went away mid-upload; nothing to answer and nothing to log.
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
export function withSignet<C extends VerifiedClaims = VerifiedClaims>(
  verifier: Verifier<C>,
  handler: (req: IncomingMessage & SignetRequestFields<C>, res: ServerResponse, claims: C, body: Buffer) => void,
  options: SignetMiddlewareOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const limits = limitsOf(verifier as Verifier, options, 'withSignet');
  return (req: IncomingMessage & SignetRequestFields<C>, res) => {
    const fail = (code: string): void => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: code }));
    };
    authenticateRequest(req, verifier as Verifier, limits, req.url ?? '').then((outcome) => {
      if (outcome.kind === 'refused') return refuse(res, outcome);
      if (outcome.kind === 'misplaced') return fail(outcome.error.code);
      if (outcome.kind === 'aborted') return;
      accept(req, outcome, limits);
      // Called from a promise callback: a throwing handler would become an unhandled rejection, so it is answered here.
      try {
        handler(req, res, outcome.claims as C, outcome.body);
      } catch {
        fail('internal');
      }
    }, () => fail('internal'));
  };
}

function refuse(res: ServerResponse, outcome: Extract<Outcome, { kind: 'refused' }>): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (outcome.status === 401) headers['www-authenticate'] = `Bearer error="invalid_token"`;
  // A body left unread cannot be drained cheaply (it may be stalled on purpose): close the connection after answering.
  if (!outcome.bodyRead) headers['connection'] = 'close';
  res.writeHead(outcome.status, headers);
  res.end(JSON.stringify({ error: outcome.code, message: outcome.message }));
}

function accept(req: IncomingMessage & SignetRequestFields, outcome: Extract<Outcome, { kind: 'accepted' }>, limits: Limits): void {
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
