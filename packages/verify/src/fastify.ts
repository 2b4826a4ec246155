import { Buffer } from 'node:buffer';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { SignetError } from '@signet/core';
import { readOptions } from '@signet/internal';
import { nodeArrival, readBody } from './authenticate-request.js';
import { authenticateHead, completeBody } from './head-first.js';
import { type RequestLimits, limitsOf } from './limits.js';
import { parsedBody } from './parse-body.js';
import { type Refusal, refusalReply } from './refusal.js';
import type { PendingVerification, VerifiedClaims, Verifier } from './types.js';

/** Options of {@link signetFastify}. */
export interface SignetFastifyOptions extends RequestLimits {
  /** The verifier of the scheme the routes accept: `requestVerifier()`, `portOneVerifier()`, … */
  verifier: Verifier;
  /**
   * Set `request.body` from the verified bytes: JSON content types parsed, `application/x-www-form-urlencoded` as
   * an object, anything else as the Buffer. `false`: `request.body` is the Buffer.
   * @default true
   */
  parseBody?: boolean;
}

declare module 'fastify' {
  // Fastify's augmentation point: `request.signet` and `request.signetBody` type-check in handlers.
  interface FastifyRequest {
    /** The claims `signetFastify` verified; absent on routes it does not guard. */
    signet?: VerifiedClaims;
    /** The exact body bytes `signetFastify` verified (named apart from fastify-raw-body's `rawBody`). */
    signetBody?: Buffer;
  }
}

// Fastify's own options of `register()` arrive with the plugin's.
const REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'] as const;
const LIMIT_OPTIONS = ['maxBodyBytes', 'maxHeaderBytes', 'parseBody'] as const;
const BEFORE_PARSERS = 'The request body was already read: register signetFastify before anything that reads the raw request; it parses the body itself.';

/** What one request is waiting for, between the hooks and the body parser. */
interface State {
  pending: PendingVerification;
  body?: Buffer | 'too-large' | 'aborted';
}

/**
 * A Fastify 5 plugin. `onRequest` authenticates each request from its request line and headers, so an unsigned or
 * forged request is answered 401 at once, its body unread (and the connection closed); the body is read by the
 * plugin's content-type parser (every content type, bounded by `maxBodyBytes`) and bound to the token before
 * validation (`preValidation`). A verified request reaches its handler with `request.signet` (the claims),
 * `request.signetBody` (the verified bytes) and `request.body` parsed from them. Refusals are the JSON answers of
 * `signetMiddleware` (401, 413, 431, 503). It applies to the routes of the context it is registered in (it is not
 * encapsulated): register it inside a plugin to guard only that plugin's routes.
 *
 * @example
 * ```ts
 * import { signetFastify } from '@signet/verify/fastify';
 * const app = Fastify();
 * await app.register(async (api) => {
 *   await api.register(signetFastify, { verifier: requestVerifier({ publicKey }) });
 *   api.post('/v1/payments', async (request) => ({ merchant: request.signet?.sub }));
 * });
 * ```
 */
export const signetFastify: FastifyPluginCallback<SignetFastifyOptions> = (instance, options, done) => {
  // A callback plugin reports a bad option through done(): thrown, it would escape Fastify as an uncaught exception.
  try {
    install(instance, options);
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
};

function install(instance: FastifyInstance, options: SignetFastifyOptions): void {
  const own = readOptions<Record<string, unknown>>(options, 'signetFastify options', ['verifier', ...LIMIT_OPTIONS, ...REGISTER_OPTIONS], '{ verifier }');
  const verifier = own['verifier'] as Verifier;
  const limits = limitsOf(verifier, Object.fromEntries(LIMIT_OPTIONS.filter((name) => own[name] !== undefined).map((name) => [name, own[name]])), 'signetFastify', LIMIT_OPTIONS);
  const states = new WeakMap<FastifyRequest, State>();

  instance.decorateRequest('signet', undefined);
  instance.decorateRequest('signetBody', undefined);

  instance.addHook('onRequest', async (request, reply) => {
    const first = await authenticateHead(verifier, limits, nodeArrival(request.raw, request.raw.url ?? '', BEFORE_PARSERS));
    if (first.kind === 'misplaced') throw first.error;
    if (first.kind === 'refused') return refuse(reply, first);
    states.set(request, { pending: first.pending });
    return undefined;
  });

  // Every content type: the bytes must be read by Signet, bounded, before anything parses them.
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', (request, payload, parsed) => {
    void readBody(payload, limits.maxBodyBytes).then((body) => {
      const state = states.get(request);
      if (state !== undefined) state.body = body;
      parsed(null, undefined);
    });
  });

  instance.addHook('preValidation', async (request, reply) => {
    const state = states.get(request);
    if (state === undefined) throw new SignetError('ERR_INVALID_REQUEST', 'signetFastify found no authenticated request: its onRequest hook did not run.');
    const outcome = await completeBody(state.pending, state.body ?? Buffer.alloc(0), limits);
    if (outcome.kind === 'refused') return refuse(reply, outcome);
    if (outcome.kind !== 'accepted') return reply.hijack();
    const body = outcome.body;
    request.signet = outcome.claims;
    request.signetBody = body;
    request.body = limits.parseBody ? parsedBody(body, request.headers['content-type']) : body;
    return undefined;
  });
}

// Not encapsulated (what fastify-plugin marks): the hooks reach the routes of the context that registers it.
(signetFastify as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(signetFastify as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = '@signet/verify/fastify';

function refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
  const { status, headers, body } = refusalReply(refusal);
  return reply.code(status).headers(headers).send(body);
}
