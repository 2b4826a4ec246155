import { createHash, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import nock from 'nock';
import { expect } from 'vitest';

/** What a server saw: the request line's method and target, the headers, the exact body bytes. */
export interface Received {
  method: string;
  /** The request-target from the request line (path + query), untouched. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// Importing nock hooks node:http for the whole process. Real-server tests must not pass through it, so it stays
// off except while a test has interceptWithNock active.
nock.restore();

export interface RecordingServer {
  origin: string;
  received: Received[];
  close(): Promise<void>;
}

/**
 * A real node:http server on 127.0.0.1 that records every request exactly as it arrived and answers with
 * `respond(received)` (200 `{"ok":true}` by default).
 */
export async function startServer(respond: (received: Received) => { status?: number; body?: unknown; headers?: Record<string, string> } = () => ({})): Promise<RecordingServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      const { status = 200, body = { ok: true }, headers = {} } = respond(entry);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Intercepts every request to `origin` with nock and records it. The nock reply function gets a fetch Request,
 * whose bytes are the body the client wrote.
 */
export function interceptWithNock(origin: string): { received: Received[]; done(): void } {
  if (!nock.isActive()) nock.activate();
  const received: Received[] = [];
  const scope = nock(origin).persist();
  const record = async (request: Request): Promise<[number, { ok: boolean }]> => {
    const url = new URL(request.url);
    const headers: IncomingHttpHeaders = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    received.push({ method: request.method, url: url.pathname + url.search, headers, body: Buffer.from(await request.arrayBuffer()) });
    return [200, { ok: true }];
  };
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
    // nock 15 calls a one-argument reply function with the fetch Request it built from what the client wrote.
    scope.intercept(() => true, method).reply(((request: Request) => record(request)) as never);
  }
  return {
    received,
    done: () => {
      scope.persist(false);
      nock.cleanAll();
      nock.restore();
    },
  };
}

export interface SignatureExpectations {
  publicKey: string | KeyObject;
  apiKey: string;
  /** The bytes hashed when the received body is empty. @default '{}' */
  emptyBody?: string;
  expiresInSeconds?: number;
  /** Verify as of this time (seconds); defaults to now. */
  clockTimestamp?: number;
}

/**
 * The wire is the truth: verifies the bearer token the server received with jsonwebtoken and the public key, then
 * checks its claims against the request line and the body bytes the server received. Returns the claims.
 */
export function expectSignedForWire(received: Received, expected: SignatureExpectations): Record<string, unknown> {
  const authorization = received.headers['authorization'];
  expect(authorization, 'Authorization header').toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  const token = String(authorization).slice('Bearer '.length);
  const decoded = jwt.verify(token, expected.publicKey, {
    algorithms: ['RS256'],
    complete: true,
    ...(expected.clockTimestamp === undefined ? {} : { clockTimestamp: expected.clockTimestamp }),
  });
  expect(decoded.header).toEqual({ alg: 'RS256', typ: 'JWT' });
  const claims = decoded.payload as Record<string, unknown>;
  expect(Object.keys(claims).sort()).toEqual(['bodyHash', 'exp', 'iat', 'sub', 'uri']);
  expect(claims['uri']).toBe(received.url);
  const hashed = received.body.length > 0 ? received.body : Buffer.from(expected.emptyBody ?? '{}', 'utf8');
  expect(claims['bodyHash']).toBe(createHash('sha256').update(hashed).digest('hex'));
  expect(claims['sub']).toBe(expected.apiKey);
  expect(Number.isInteger(claims['iat'])).toBe(true);
  expect(claims['exp']).toBe((claims['iat'] as number) + (expected.expiresInSeconds ?? 55));
  return claims;
}
