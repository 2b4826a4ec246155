import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { SignetError, type SignetErrorCode } from '@signet/core';
import type { Limits } from './middleware.js';
import type { VerifiedClaims, Verifier } from './types.js';

/** @internal What the middleware does with a request. */
export type Outcome =
  | { kind: 'accepted'; claims: VerifiedClaims; body: Buffer }
  | { kind: 'refused'; status: number; code: SignetErrorCode; message: string; bodyRead: boolean }
  /** The middleware is mounted after a body parser: a configuration error, for the app's error handler. */
  | { kind: 'misplaced'; error: SignetError }
  /** The client went away before its body arrived. */
  | { kind: 'aborted' };

// The store or the key lookup is down: the request may succeed later, and is refused now (never accepted).
const UNAVAILABLE = new Set<SignetErrorCode>(['ERR_REPLAY_STORE_FULL', 'ERR_REPLAY_STORE_UNAVAILABLE', 'ERR_KEY_LOOKUP_FAILED']);

/**
 * Authenticates a `node:http` request in the order that costs an attacker the most and the server the least:
 * header sizes, then everything the request line and headers prove (presence, structure, algorithm, signature,
 * times, target), and only for a request that passed those, its body (bounded), bound to the token last.
 * @internal
 */
export async function authenticateRequest(req: IncomingMessage, verifier: Verifier, limits: Limits, url: string): Promise<Outcome> {
  for (const name of verifier.headers) {
    const value = req.headers[name];
    const size = Array.isArray(value) ? value.reduce((sum, item) => sum + item.length, 0) : (value?.length ?? 0);
    if (size > limits.maxHeaderBytes) return tooLarge(431, `The ${name} header is larger than ${limits.maxHeaderBytes} bytes.`);
  }
  if (req.readableEnded || (req as { _body?: unknown })._body === true) {
    return {
      kind: 'misplaced',
      error: new SignetError('ERR_BODY_CONSUMED', 'The request body was already read: mount signetMiddleware before any body parser (express.json(), …); it parses the body itself.'),
    };
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBodyBytes) return tooLarge(413, `The body is larger than ${limits.maxBodyBytes} bytes.`);
  const hasBody = declared > 0 || req.headers['transfer-encoding'] !== undefined;

  let pending;
  try {
    pending = await verifier.authenticate({ method: req.method ?? 'GET', url, headers: req.headers });
  } catch (error) {
    return refusal(error, !hasBody);
  }
  const body = hasBody ? await readBody(req, limits.maxBodyBytes) : Buffer.alloc(0);
  if (body === 'aborted') return { kind: 'aborted' };
  if (body === 'too-large') return tooLarge(413, `The body is larger than ${limits.maxBodyBytes} bytes.`);
  try {
    return { kind: 'accepted', claims: await pending.complete(body), body };
  } catch (error) {
    return refusal(error, true);
  }
}

function refusal(error: unknown, bodyRead: boolean): Outcome {
  if (!(error instanceof SignetError)) throw error;
  return { kind: 'refused', status: UNAVAILABLE.has(error.code) ? 503 : 401, code: error.code, message: error.message, bodyRead };
}

function tooLarge(status: number, message: string): Outcome {
  return { kind: 'refused', status, code: 'ERR_REQUEST_TOO_LARGE', message, bodyRead: false };
}

/** The body's bytes; `'too-large'` once more than `limit` arrive (the rest is left unread); `'aborted'` if the client left. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too-large' | 'aborted'): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      // The error listener stays: a client that goes away later must not become an unhandled 'error' event.
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        req.pause();
        finish('too-large');
      }
    };
    const onEnd = (): void => finish(Buffer.concat(chunks, size));
    // An upload cut short is the client's doing, not a server error: no stack trace in the logs.
    const onAbort = (): void => finish('aborted');
    const onClose = (): void => {
      if (!req.complete) finish('aborted');
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}
