import type { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateRequest } from './authenticate-request.js';
import type { Outcome } from './head-first.js';
import { type Limits, type RequestLimits, limitsOf } from './limits.js';
import { parsedBody } from './parse-body.js';
import { type Refusal, refusalReply } from './refusal.js';
import type { VerifiedClaims, Verifier } from './types.js';

/** Options of {@link signetMiddleware} and {@link withSignet}. */
export interface SignetMiddlewareOptions extends RequestLimits {
  /**
   * Set `req.body` from the verified bytes: JSON content types parsed, `application/x-www-form-urlencoded` as an
   * object, anything else as the Buffer (body parsers mounted later skip the request, as its stream is consumed).
   * @default true
   */
  parseBody?: boolean;
}

const MIDDLEWARE_OPTIONS = ['maxBodyBytes', 'maxHeaderBytes', 'parseBody'];

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
  const limits = limitsOf(verifier, options, 'signetMiddleware', MIDDLEWARE_OPTIONS);
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
  const limits = limitsOf(verifier, options, 'withSignet', MIDDLEWARE_OPTIONS);
  return (req: IncomingMessage & SignetRequestFields<C>, res) => {
    const fail = (code: string): void => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: code }));
    };
    authenticateRequest(req, verifier as Verifier, limits, req.url ?? '').then(
      (outcome) => {
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
      },
      () => fail('internal'),
    );
  };
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  const reply = refusalReply(refusal);
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

function accept(req: IncomingMessage & SignetRequestFields, outcome: Extract<Outcome<Buffer>, { kind: 'accepted' }>, limits: Limits): void {
  req.signet = outcome.claims;
  req.rawBody = outcome.body;
  // body-parser (express.json() and friends) skips a request whose body was already read.
  (req as { _body?: boolean })._body = true;
  if (limits.parseBody && req.body === undefined) req.body = parsedBody(outcome.body, req.headers['content-type']);
}
