import { Buffer } from 'node:buffer';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { type RequestLimits, type VerifiedClaims, type Verifier, refusalResponse, verifyFetchRequest } from '@signet/verify';
import { signetFastify } from '@signet/verify/fastify';
import { signetHono } from '@signet/verify/hono';
import { listenServer } from './servers.js';

export type FrameworkKind = 'verifyFetchRequest' | 'Hono' | 'Fastify';

/** What a route handler behind the verification saw. */
export interface FrameworkSeen {
  url: string;
  claims: VerifiedClaims | undefined;
  /** The verified bytes the framework handed over. */
  body: Buffer;
  /** The body as the app reads it: `c.req.json()`/`text()` under Hono, `request.body` under Fastify. */
  parsed: unknown;
}

export interface FrameworkServer {
  origin: string;
  seen: FrameworkSeen[];
  close(): Promise<void>;
}

const ok = (url: string): Response => Response.json({ ok: true, url });

/** A web-standard handler on `verifyFetchRequest`, served by @hono/node-server (Node's adaptor for fetch handlers). */
function fetchHandler(verifier: Verifier, limits: RequestLimits, seen: FrameworkSeen[]): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const { claims, body } = await verifyFetchRequest(verifier, request, limits);
      const url = new URL(request.url);
      seen.push({ url: url.pathname + url.search, claims, body: Buffer.from(body), parsed: undefined });
      return ok(url.pathname + url.search);
    } catch (error) {
      return refusalResponse(error);
    }
  };
}

function honoApp(verifier: Verifier, limits: RequestLimits, seen: FrameworkSeen[]): Hono {
  const app = new Hono();
  app.use('*', signetHono(verifier, limits));
  app.all('*', async (c) => {
    const json = /json/.test(c.req.header('content-type') ?? '');
    const parsed: unknown = c.get('signetBody').length === 0 ? undefined : json ? await c.req.json() : await c.req.text();
    const url = new URL(c.req.url);
    seen.push({ url: url.pathname + url.search, claims: c.get('signet'), body: Buffer.from(c.get('signetBody')), parsed });
    return c.json({ ok: true, url: url.pathname + url.search });
  });
  return app;
}

/** A real server of `kind` on 127.0.0.1 whose every route verifies with `verifier`. */
export async function startFrameworkServer(kind: FrameworkKind, verifier: Verifier, limits: RequestLimits = {}): Promise<FrameworkServer> {
  const seen: FrameworkSeen[] = [];
  if (kind === 'Fastify') {
    const app = Fastify();
    await app.register(signetFastify, { verifier, ...limits });
    app.all('/*', async (request) => {
      seen.push({ url: request.url, claims: request.signet, body: request.signetBody ?? Buffer.alloc(0), parsed: request.body });
      return { ok: true, url: request.url };
    });
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    return { origin, seen, close: () => app.close() };
  }
  const fetch = kind === 'Hono' ? honoApp(verifier, limits, seen).fetch : fetchHandler(verifier, limits, seen);
  const server = createAdaptorServer({ fetch }) as Server;
  return { ...(await listenServer(server)), seen };
}

export const FRAMEWORK_KINDS: readonly FrameworkKind[] = ['verifyFetchRequest', 'Hono', 'Fastify'];
