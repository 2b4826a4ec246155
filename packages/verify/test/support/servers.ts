import { Buffer } from 'node:buffer';
import { type KeyObject } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import express from 'express';
import { expect } from 'vitest';
import type { SignetErrorCode } from '@signet/core';
import { testKeys } from '@signet/test-support';
import {
  type PendingVerification,
  type RequestHead,
  type SignetMiddlewareOptions,
  type SignetRequestFields,
  type VerifiableRequest,
  type VerifiedClaims,
  type Verifier,
  signetMiddleware,
  withSignet,
} from '@signet/verify';

// Express 4 is installed under the alias `express4` and ships no types; its API used here is the one Express 5 types.
const express4 = createRequire(import.meta.url)('express4') as typeof express;

export type ServerKind = 'Express 5' | 'Express 4' | 'node:http';
export const SERVER_KINDS: readonly ServerKind[] = ['Express 5', 'Express 4', 'node:http'];
export const EXPRESS_KINDS = ['Express 5', 'Express 4'] as const;
export type ExpressKind = (typeof EXPRESS_KINDS)[number];

/** The Express module of a flavour: `express()` itself, `express.json()`, `express.Router()`. */
export function expressOf(kind: ExpressKind): typeof express {
  return kind === 'Express 5' ? express : express4;
}

/** Milliseconds since the epoch that every signer and verifier of these tests agree is "now". */
export const NOW = 1_760_000_000_000;
export const fixedClock = (): number => NOW;

let keys: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/** An RSA-2048 key pair generated at test time, shared within one test file. */
export function rsaKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  keys ??= testKeys().rsa;
  return keys;
}

/** What a route handler behind the middleware saw. */
export interface Seen {
  method: string;
  /** The request-target as received: `req.originalUrl` under Express, `req.url` under node:http. */
  url: string;
  headers: IncomingHttpHeaders;
  signet: VerifiedClaims | undefined;
  rawBody: Buffer | undefined;
  hasBody: boolean;
  body: unknown;
  /** node:http only: the claims and body `withSignet` passed to the handler. */
  handlerArgs?: { claims: VerifiedClaims; body: Buffer };
}

export interface Listening {
  origin: string;
  close(): Promise<void>;
}

export interface SignetServer extends Listening {
  kind: ServerKind;
  /** One entry per call of the route handler. */
  seen: Seen[];
}

type SignetReq = IncomingMessage & SignetRequestFields & { originalUrl?: string };

/** A route handler that records what it sees and answers 200 `{ ok: true, url }`. */
export function recorder(seen: Seen[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => record(seen, req, res);
}

function record(seen: Seen[], incoming: IncomingMessage, res: ServerResponse, args?: Seen['handlerArgs']): void {
  const req = incoming as SignetReq;
  const url = req.originalUrl ?? req.url ?? '';
  seen.push({
    method: req.method ?? '',
    url,
    headers: req.headers,
    signet: req.signet,
    rawBody: req.rawBody,
    hasBody: 'body' in req && req.body !== undefined,
    body: req.body,
    ...(args === undefined ? {} : { handlerArgs: args }),
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, url }));
}

/** Serves `listener` on 127.0.0.1, on a port the system picks. */
export async function listen(listener: RequestListener): Promise<Listening> {
  return listenServer(createServer(listener));
}

/** Starts `server` on 127.0.0.1, on a port the system picks; `close()` also ends kept-alive connections. */
export async function listenServer(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A real server of `kind` that verifies every request with `verifier`: Express 5 or 4 with
 * `app.use(signetMiddleware(verifier, options))` before a catch-all route, or node:http with `withSignet`.
 */
export async function startSignetServer(kind: ServerKind, verifier: Verifier, options: SignetMiddlewareOptions = {}): Promise<SignetServer> {
  const seen: Seen[] = [];
  let listener: RequestListener;
  if (kind === 'node:http') {
    listener = withSignet(verifier, (req, res, claims, body) => record(seen, req, res, { claims, body }), options);
  } else {
    const app = expressOf(kind)();
    app.use(signetMiddleware(verifier, options));
    app.use(recorder(seen));
    listener = app;
  }
  return { kind, seen, ...(await listen(listener)) };
}

/**
 * A verifier that counts what the middleware asks of it, to prove where a refusal came from: `calls` counts the
 * verifications begun (`authenticate` or `verify`: the token's signature is checked), `completions` the bodies bound
 * to a token (`complete`, or the body half of `verify`).
 */
export function countingVerifier(verifier: Verifier): Verifier & { readonly calls: number; readonly completions: number } {
  let calls = 0;
  let completions = 0;
  return {
    headers: verifier.headers,
    verify(request: VerifiableRequest) {
      calls += 1;
      completions += 1;
      return verifier.verify(request);
    },
    async authenticate(head: RequestHead): Promise<PendingVerification> {
      calls += 1;
      const pending = await verifier.authenticate(head);
      return {
        claims: pending.claims,
        complete(body: Uint8Array) {
          completions += 1;
          return pending.complete(body);
        },
      };
    },
    get calls() {
      return calls;
    },
    get completions() {
      return completions;
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  data: unknown;
}

export interface RawRequest {
  method: string;
  /** The request-target sent as is. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Send the body with `Transfer-Encoding: chunked` in pieces of this many bytes, without Content-Length. */
  chunkSize?: number;
  /** Declare a Content-Length of this many bytes but send none of them: the answer must come from the headers alone. */
  withheldLength?: number;
}

/** One request over a fresh connection with node:http, headers and body exactly as given. */
export function sendRaw(origin: string, { method, path, headers = {}, body, chunkSize, withheldLength }: RawRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const length = withheldLength ?? (body !== undefined && chunkSize === undefined ? body.byteLength : undefined);
    const sized = length === undefined ? {} : { 'content-length': String(length) };
    const req = request(`${origin}${path}`, { method, headers: { ...headers, ...sized }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = /^application\/json/.test(res.headers['content-type'] ?? '');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, data: json ? (JSON.parse(text) as unknown) : text });
        // A request whose body was withheld can only be abandoned; the answer has been read.
        if (withheldLength !== undefined) req.destroy();
      });
    });
    req.on('error', reject);
    if (withheldLength !== undefined) req.flushHeaders();
    else if (body !== undefined && chunkSize !== undefined) {
      // write() before end() without a Content-Length is what makes node:http send chunked.
      for (let offset = 0; offset < body.byteLength; offset += chunkSize) req.write(body.subarray(offset, offset + chunkSize));
      req.end();
    } else req.end(body);
  });
}

/** Asserts the middleware's refusal: the status, a JSON `{ error: code, message }` and, for 401, the challenge. */
export function expectRefused(answer: Answer, status: number, code: SignetErrorCode): void {
  expect({ status: answer.status, data: answer.data }).toEqual({ status, data: { error: code, message: expect.any(String) } });
  expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
  expect((answer.data as { message: string }).message.length).toBeGreaterThan(0);
  if (status === 401) expect(answer.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
}

/** `length` bytes covering every byte value, most of them invalid as UTF-8. */
export function binaryBytes(length: number, seed = 0): Buffer {
  return Buffer.from(Array.from({ length }, (_, index) => (index * 37 + seed) % 256));
}
