import type { MiddlewareHandler } from 'hono';
import { refusalResponse, verifyWithLimits } from './fetch.js';
import { type RequestLimits, limitsOf } from './limits.js';
import type { VerifiedClaims, Verifier } from './types.js';

/** Options of {@link signetHono}. */
export type SignetHonoOptions = RequestLimits;

declare module 'hono' {
  // Hono's own augmentation point: `c.get('signet')` and `c.get('signetBody')` type-check in every handler.
  interface ContextVariableMap {
    /** The claims `signetHono` verified; only set on routes it guards. */
    signet: VerifiedClaims;
    /** The exact body bytes `signetHono` verified. */
    signetBody: Uint8Array;
  }
}

/**
 * Hono middleware, on every runtime Hono runs on. It authenticates each request from its request line and headers
 * first (an unsigned or forged request is answered 401 at once, its body unread), then reads the body once,
 * bounded, and binds it to the token. A verified request goes on with `c.get('signet')` (the claims) and
 * `c.get('signetBody')` (the verified bytes); `c.req.json()`, `c.req.text()` and validators read those same bytes.
 * Refusals are the JSON answers of `signetMiddleware` (401, 413, 431, 503); see `verifyFetchRequest` for the URL
 * that is verified (proxies must keep it).
 *
 * @example
 * ```ts
 * import { signetHono } from '@signet/verify/hono';
 * const app = new Hono();
 * app.use('/v1/*', signetHono(requestVerifier({ publicKey })));
 * app.post('/v1/payments', async (c) => c.json({ merchant: c.get('signet').sub, amount: (await c.req.json()).amount }));
 * ```
 */
export function signetHono(verifier: Verifier, options: SignetHonoOptions = {}): MiddlewareHandler {
  const limits = limitsOf(verifier, options, 'signetHono');
  return async (c, next) => {
    let verified;
    try {
      verified = await verifyWithLimits(verifier, limits, c.req.raw, 'signetHono');
    } catch (error) {
      return refusalResponse(error);
    }
    c.set('signet', verified.claims);
    c.set('signetBody', verified.body);
    // The stream is consumed: Hono's body readers (c.req.json(), validators) are served from its cache instead, which
    // holds promises at run time (its type says ArrayBuffer).
    const { body } = verified;
    const bytes = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
    c.req.bodyCache.arrayBuffer = Promise.resolve(bytes) as unknown as ArrayBuffer;
    await next();
  };
}
