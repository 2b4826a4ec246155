import type { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { expect } from 'vitest';
import { requestSigner } from '@signet/core';
import { requestVerifier, withSignet } from '@signet/verify';
import { type Received, expectSignedForWire, startServer, testKeys } from '@signet/test-support';

export type { Received } from '@signet/test-support';

export const API_KEY = 'fetch-test-key';
export const keys = testKeys().rsa;
export const signer = requestSigner({ apiKey: API_KEY, privateKey: keys.privateKey });

export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const EMPTY_BODY_HASH = sha256('{}');

/** A request that reached a server and whose token was found to be issued for exactly it. */
export interface Arrival {
  method: string;
  /** The request-target of the request line, as the server received it. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  claims: Record<string, unknown>;
}

/** What both servers answer: what they received, so a response can be matched to its own request. */
export interface Echo {
  url: string;
  sha256: string;
  contentType: string | null;
  /** The verified `uri` claim (the @signet/verify server only). */
  uri?: string;
}

export interface Wire {
  origin: string;
  /** Every request that reached the server, verified or not. */
  hits(): number;
  /** The requests that arrived, each checked to be signed for exactly what arrived. */
  arrivals(): Arrival[];
  stop(): Promise<void>;
}

/** Answers a request with another status and headers (and an empty body) instead of the echo. */
export type Route = (url: string) => { status: number; headers: Record<string, string> } | undefined;

export interface WireKind {
  name: string;
  start(route?: Route): Promise<Wire>;
}

function echoOf(url: string, headers: IncomingHttpHeaders, body: Buffer): Echo {
  return { url, sha256: sha256(body), contentType: headers['content-type'] ?? null };
}

/**
 * A real node:http server guarded by @signet/verify: only requests whose token verifies against the request line
 * and body bytes received reach the handler, which records them and echoes what it saw.
 */
export const verifyingServer: WireKind = {
  name: 'a node:http server with @signet/verify',
  async start(route) {
    const verified: Arrival[] = [];
    let hits = 0;
    const guarded = withSignet(
      requestVerifier({ publicKey: keys.publicKey }),
      (req, res, claims, body) => {
        verified.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, claims });
        const routed = route?.(req.url ?? '');
        if (routed !== undefined) return void res.writeHead(routed.status, routed.headers).end();
        const echo: Echo = { ...echoOf(req.url ?? '', req.headers, body), uri: String(claims['uri']) };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(echo));
      },
      { maxBodyBytes: 8 * 1024 * 1024 },
    );
    const server: Server = createServer((req, res) => {
      hits += 1;
      guarded(req, res);
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      hits: () => hits,
      arrivals: () => {
        // A request the verifier refused never reaches the handler: every hit must have been verified.
        expect(verified.length, 'requests that reached the server but did not verify').toBe(hits);
        return verified;
      },
      stop: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};

/** The raw recording server; its requests are checked independently, with jsonwebtoken (expectSignedForWire). */
export const recordingServer: WireKind = {
  name: 'a recording node:http server checked with jsonwebtoken',
  async start(route) {
    const server = await startServer((received) => route?.(received.url) ?? { body: echoOf(received.url, received.headers, received.body) });
    return {
      origin: server.origin,
      hits: () => server.received.length,
      arrivals: () => server.received.map((received) => ({ ...received, claims: expectSignedForWire(received, { publicKey: keys.publicKey, apiKey: API_KEY }) })),
      stop: () => server.close(),
    };
  },
};

export const wireKinds: readonly WireKind[] = [verifyingServer, recordingServer];

/**
 * The one request the server received, signed for exactly what arrived; the response must be the server's answer
 * to that very request (its echo).
 */
export async function onlyArrival(wire: Wire, response: Response): Promise<Arrival> {
  const text = await response.text();
  expect(response.status, `the server answered ${text}`).toBe(200);
  expect(wire.hits()).toBe(1);
  const arrivals = wire.arrivals();
  expect(arrivals).toHaveLength(1);
  const arrival = arrivals[0] as Arrival;
  if (arrival.method !== 'HEAD') {
    const echo = JSON.parse(text) as Echo;
    expect(echo).toMatchObject(echoOf(arrival.url, arrival.headers, arrival.body));
    if (echo.uri !== undefined) expect(echo.uri).toBe(arrival.url);
  }
  expect(arrival.claims['uri']).toBe(arrival.url);
  expect(arrival.claims['bodyHash']).toBe(arrival.body.length === 0 ? EMPTY_BODY_HASH : sha256(arrival.body));
  expect(arrival.claims['sub']).toBe(API_KEY);
  return arrival;
}

/** A listener that answers 200 to anything and records every request, with its credentials. */
export async function startOtherListener(): Promise<{ origin: string; received: Received[]; credentials(): string[]; close(): Promise<void> }> {
  const server = await startServer();
  return {
    origin: server.origin,
    received: server.received,
    credentials: () => server.received.map((received) => received.headers['authorization']).filter((value): value is string => value !== undefined),
    close: () => server.close(),
  };
}

/** An origin on 127.0.0.1 where nothing listens: the port was just bound and released. */
export async function closedOrigin(): Promise<string> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

export { bytesOf, chunksOf, rejection } from '@signet/test-support';
