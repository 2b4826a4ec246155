import { SignetError } from '@signet/core';
import { type Facts, explained } from './explain.js';
import type { CommonSettings } from './common.js';
import type { PendingVerification, RequestHead, VerifiableRequest, VerifiedClaims, Verifier } from './types.js';

/** @internal One scheme's checks, split at the point where the body is needed. */
export interface SchemeChecks<C extends VerifiedClaims> {
  /** The lowercase names of the headers the scheme reads (their values are credentials). */
  headers: readonly string[];
  /** Everything the request line and headers prove; records what it learns in `facts`. */
  authenticate(head: RequestHead, facts: Facts): Promise<{ claims: C; checkBody?: (body: Uint8Array) => Promise<void> }>;
}

/**
 * The one pipeline of every verifier: check the request's shape, authenticate from the head, then bind the body,
 * each step explained to `onReject` on failure. `verify()` is `authenticate()` then `complete()`.
 * @internal
 */
export function defineVerifier<C extends VerifiedClaims>(settings: CommonSettings, scheme: SchemeChecks<C>): Verifier<C> {
  const { headers } = scheme;
  const run = <T>(facts: Facts, step: () => Promise<T>): Promise<T> => explained(facts, headers, settings.onReject, step);

  const authenticate = (head: RequestHead): Promise<PendingVerification<C>> => {
    const facts: Facts = { head: safeHead(head), toleranceSeconds: settings.toleranceSeconds };
    return run(facts, async () => {
      checkHead(head);
      const { claims, checkBody } = await scheme.authenticate(head, facts);
      let completed = false;
      return {
        claims,
        complete: (body: Uint8Array) =>
          run(facts, async () => {
            checkBodyBytes(body);
            if (completed) throw new SignetError('ERR_INVALID_REQUEST', 'complete() was already called for this request.');
            completed = true;
            facts.body = body;
            await checkBody?.(body);
            return claims;
          }),
      };
    });
  };

  return {
    headers,
    authenticate,
    async verify(request: VerifiableRequest): Promise<C> {
      const facts: Facts = { head: safeHead(request), toleranceSeconds: settings.toleranceSeconds };
      await run(facts, async () => checkBodyBytes(request?.body));
      return (await authenticate(request)).complete(request.body);
    },
  };
}

function checkHead(head: RequestHead): void {
  if (typeof head !== 'object' || head === null || typeof head.method !== 'string' || typeof head.url !== 'string' || typeof head.headers !== 'object' || head.headers === null) {
    throw new SignetError('ERR_INVALID_REQUEST', 'verify() needs a request { method, url, headers, body } as the server received it.');
  }
}

function checkBodyBytes(body: unknown): asserts body is Uint8Array {
  if (!(body instanceof Uint8Array)) {
    throw new SignetError('ERR_INVALID_REQUEST', "The request's body must be its raw bytes as a Uint8Array (a Buffer), an empty one when there is none: without it a token for a bodiless GET would pass for any POST.");
  }
}

/** A head fit for the explanation even when the caller passed something malformed. */
function safeHead(head: RequestHead | undefined): RequestHead {
  const ok = typeof head === 'object' && head !== null;
  return {
    method: ok && typeof head.method === 'string' ? head.method : '',
    url: ok && typeof head.url === 'string' ? head.url : '',
    headers: ok && typeof head.headers === 'object' && head.headers !== null ? head.headers : {},
  };
}
