// One web-standard app, served by each runtime's own server (servers/bun.mjs, deno.mjs, worker.mjs, node.mjs):
// @signet/verify's published entry points verify what arrives, and the app echoes what they verified so that the
// test (in Node, with jsonwebtoken-minted tokens) can assert it on the wire. Refusals are refusalResponse()'s JSON.
import { Hono } from 'hono';
import { portOneVerifier, refusalResponse, requestVerifier, verifyFetchRequest } from '@signet/verify';
import { signetHono } from '@signet/verify/hono';

/**
 * The app's `fetch(request)` handler for a config `{ rsaPublic, clientKey, secret, maxBodyBytes }`:
 * /fetch/* verifies with verifyFetchRequest + requestVerifier (RS256), /hono/* with signetHono + requestVerifier,
 * /portone/* with verifyFetchRequest + portOneVerifier (HS256). Each answers 200 `{ claims, bodyLength }`.
 */
export function createApp(config) {
  const limits = { maxBodyBytes: config.maxBodyBytes };
  const rs256 = requestVerifier({ publicKey: config.rsaPublic });
  const hs256 = portOneVerifier({ clientKey: config.clientKey, secretKey: config.secret });
  const hono = new Hono();
  hono.use('/hono/*', signetHono(rs256, limits));
  hono.all('/hono/*', (c) => c.json({ claims: c.get('signet'), bodyLength: c.get('signetBody').length }));
  const viaFetch = (verifier, request) => verifyFetchRequest(verifier, request, limits).then(({ claims, body }) => Response.json({ claims, bodyLength: body.length }), refusalResponse);
  return function fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/fetch/')) return viaFetch(rs256, request);
    if (pathname.startsWith('/portone/')) return viaFetch(hs256, request);
    if (pathname.startsWith('/hono/')) return hono.fetch(request);
    return new Response('not found', { status: 404 });
  };
}
