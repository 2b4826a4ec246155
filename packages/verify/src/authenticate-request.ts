import { Buffer } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { type Arrival, type Outcome, authenticateThenRead, sizeOfHeader } from './head-first.js';
import type { Limits } from './limits.js';
import type { Verifier } from './types.js';

/**
 * What a `node:http` request tells the verification before its body: its head, header sizes, declared length,
 * and whether a body parser already read it (`misplaced` names the middleware to mount first).
 * @internal
 */
export function nodeArrival(req: IncomingMessage, url: string, misplaced: string): Arrival {
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  return {
    head: { method: req.method ?? 'GET', url, headers: req.headers },
    headerSize: (name) => sizeOfHeader(req.headers[name]),
    declaredLength,
    hasBody: declaredLength > 0 || req.headers['transfer-encoding'] !== undefined,
    consumed: req.readableEnded || (req as { _body?: unknown })._body === true ? misplaced : undefined,
  };
}

const BEFORE_PARSERS = 'The request body was already read: mount signetMiddleware before any body parser (express.json(), …); it parses the body itself.';

/**
 * Authenticates a `node:http` request from its head first, and reads its body (bounded) only once that passed.
 * @internal
 */
export function authenticateRequest(req: IncomingMessage, verifier: Verifier, limits: Limits, url: string): Promise<Outcome<Buffer>> {
  return authenticateThenRead(verifier, limits, nodeArrival(req, url, BEFORE_PARSERS), () => readBody(req, limits.maxBodyBytes), Buffer.alloc(0));
}

/** The body's bytes; `'too-large'` once more than `limit` arrive (the rest is left unread); `'aborted'` if the client left. @internal */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
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
