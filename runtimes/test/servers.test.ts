import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startProcess, startWorker } from '../src/launch.js';

// Issue 13: @signet/verify inside each runtime's own server. One web-standard app (servers/app.mjs, published entry
// points only) is served by Node (@hono/node-server), Bun.serve, Deno.serve and workerd; this test, in Node, mints
// tokens with jsonwebtoken and sends real HTTP requests to 127.0.0.1. What it asserts is what came back on the wire:
// the status, the refusal code, and the claims the app saw.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const MAX_BODY_BYTES = 1024;
const BODY = '{"amount":1250,"note":"Grüße 🚀"}';
const PATH = '/v1/pay?x=1&tag=a%20b';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: typeof rsa.privateKey) => key.export({ type: 'pkcs8', format: 'pem' }) as string;
const config = {
  rsaPublic: rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  clientKey: 'portone-client-1',
  secret: randomBytes(32).toString('base64url'),
  maxBodyBytes: MAX_BODY_BYTES,
};
const apiKey = 'merchant-42';
const sha256Hex = (body: string | Uint8Array) => createHash('sha256').update(body).digest('hex');

/** Signet's per-request RS256 token, minted by jsonwebtoken: {uri, iat, exp, sub, bodyHash}. */
const perRequestToken = (uri: string, body: string | Uint8Array, privateKey = pem(rsa.privateKey)) => jwt.sign({ uri, sub: apiKey, bodyHash: sha256Hex(body) }, privateKey, { algorithm: 'RS256', expiresIn: 55 });
/** PortOne's HS256 token, minted by jsonwebtoken. */
const portOneToken = (secret = config.secret) => jwt.sign({ iss: 'PORTONE', sub: config.clientKey }, secret, { algorithm: 'HS256', expiresIn: 100 });

const SERVERS: Record<string, () => Promise<Running>> = {
  node: () => startProcess('node', here('../servers/node.mjs'), { SIGNET_SERVER_CONFIG: JSON.stringify(config) }),
  bun: () => startProcess('bun', here('../servers/bun.mjs'), { SIGNET_SERVER_CONFIG: JSON.stringify(config) }),
  deno: () => startProcess('deno', here('../servers/deno.mjs'), { SIGNET_SERVER_CONFIG: JSON.stringify(config) }),
  workerd: () => startWorker(here('../servers/worker.mjs'), { SIGNET_SERVER_CONFIG: JSON.stringify(config) }),
  // The web builds alone: nothing in the bundle may need a Node built-in.
  'workerd, no nodejs_compat': () => startWorker(here('../servers/worker.mjs'), { SIGNET_SERVER_CONFIG: JSON.stringify(config) }, undefined, { nodeCompat: false }),
};

beforeAll(() => {
  if (!existsSync(here('../../packages/verify/dist/hono.js'))) throw new Error('packages/verify is not built: run pnpm build first (the app imports the published entry points).');
});

/**
 * POSTs `body` with Transfer-Encoding: chunked (no length for the server to refuse up front), the whole request in
 * one write: the server answers 413 part-way through the body, and a client still streaming it could see EPIPE
 * instead of the answer (fetch does), which would say nothing about the server.
 */
function sendChunked(origin: string, path: string, token: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${path}`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (data: string) => (text += data));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as Answer['json'], wwwAuthenticate: response.headers['www-authenticate'] ?? null }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * POSTs to `path` a chunked body that never ends (one chunk, then nothing) and resolves with the answer: only a
 * server that decides before reading the body answers at all; the test's timeout is the hang guard.
 */
function sendStalled(origin: string, path: string, token: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${path}`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (data: string) => (text += data));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as Answer['json'], wwwAuthenticate: response.headers['www-authenticate'] ?? null });
      });
    });
    request.on('error', reject);
    request.write('{"amount":');
  });
}

interface Answer {
  status: number;
  json: { claims?: Record<string, unknown>; bodyLength?: number; error?: string };
  wwwAuthenticate: string | null;
}

for (const [runtime, start] of Object.entries(SERVERS)) {
  describe(`${runtime}: verification inside the runtime's server`, () => {
    let server: Running;
    beforeAll(async () => {
      server = await start();
    }, 120_000);
    afterAll(() => server?.close());

    const send = async (path: string, init: RequestInit & { duplex?: 'half' }): Promise<Answer> => {
      const response = await fetch(`${server.origin}${path}`, { method: 'POST', ...init });
      const text = await response.text();
      return { status: response.status, json: JSON.parse(text) as Answer['json'], wwwAuthenticate: response.headers.get('www-authenticate') };
    };
    // The uri claim is the path + query the app receives, route prefix included.
    const signed = (route: string, body: string, token = perRequestToken(`/${route}${PATH}`, body)) =>
      send(`/${route}${PATH}`, { body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

    for (const route of ['fetch', 'hono']) {
      const via = route === 'fetch' ? 'verifyFetchRequest' : 'signetHono';
      it(`${via}: a jsonwebtoken-minted RS256 token verifies, and the app sees its claims and the body`, async () => {
        const answer = await signed(route, BODY);
        expect(answer.status).toBe(200);
        expect(answer.json.claims).toMatchObject({ uri: `/${route}${PATH}`, sub: apiKey, bodyHash: sha256Hex(BODY) });
        expect(answer.json.bodyLength).toBe(Buffer.byteLength(BODY));
      });

      it(`${via}: a tampered body is refused 401 ERR_BODY_HASH_MISMATCH`, async () => {
        const answer = await signed(route, BODY.replace('1250', '9250'), perRequestToken(`/${route}${PATH}`, BODY));
        expect([answer.status, answer.json.error]).toEqual([401, 'ERR_BODY_HASH_MISMATCH']);
        expect(answer.wwwAuthenticate).toMatch(/^Bearer error="invalid_token"/);
      });

      it(`${via}: a token signed with another key is refused 401 ERR_SIGNATURE_INVALID`, async () => {
        const answer = await signed(route, BODY, perRequestToken(`/${route}${PATH}`, BODY, pem(stranger.privateKey)));
        expect([answer.status, answer.json.error]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      it(`${via}: a forged token is refused 401 while its body is still arriving (authenticated before the body is read)`, { timeout: 20_000 }, async () => {
        const answer = await sendStalled(server.origin, `/${route}${PATH}`, perRequestToken(`/${route}${PATH}`, BODY, pem(stranger.privateKey)));
        expect([answer.status, answer.json.error]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
      });

      it(`${via}: a token for another path is refused 401 ERR_URI_MISMATCH`, async () => {
        const answer = await signed(route, BODY, perRequestToken(`/${route}/v1/pay?x=2&tag=a%20b`, BODY));
        expect([answer.status, answer.json.error]).toEqual([401, 'ERR_URI_MISMATCH']);
      });

      it(`${via}: a validly signed body over maxBodyBytes is refused 413 (declared length)`, async () => {
        const big = 'x'.repeat(MAX_BODY_BYTES * 4);
        const answer = await signed(route, big);
        expect([answer.status, answer.json.error]).toEqual([413, 'ERR_REQUEST_TOO_LARGE']);
      });

      it(`${via}: a validly signed body over maxBodyBytes is refused 413 (chunked, no length)`, async () => {
        const whole = 'x'.repeat(MAX_BODY_BYTES * 4);
        const answer = await sendChunked(server.origin, `/${route}${PATH}`, perRequestToken(`/${route}${PATH}`, whole), whole);
        expect([answer.status, answer.json.error]).toEqual([413, 'ERR_REQUEST_TOO_LARGE']);
      });
    }

    it('verifyFetchRequest + portOneVerifier: a jsonwebtoken-minted HS256 token verifies', async () => {
      const answer = await send('/portone/v1/payments', { method: 'GET', headers: { authorization: `Bearer ${portOneToken()}`, 'x-portone-client-key': config.clientKey } });
      expect(answer.status).toBe(200);
      expect(answer.json.claims).toMatchObject({ iss: 'PORTONE', sub: config.clientKey });
      expect(answer.json.bodyLength).toBe(0);
    });

    it('verifyFetchRequest + portOneVerifier: an HS256 token made with another secret is refused 401', async () => {
      const answer = await send('/portone/v1/payments', { method: 'GET', headers: { authorization: `Bearer ${portOneToken(randomBytes(32).toString('base64url'))}`, 'x-portone-client-key': config.clientKey } });
      expect([answer.status, answer.json.error]).toEqual([401, 'ERR_SIGNATURE_INVALID']);
    });

    it('an unsigned request is refused 401 ERR_TOKEN_MISSING on both routes', async () => {
      for (const route of ['fetch', 'hono']) {
        const answer = await send(`/${route}${PATH}`, { body: BODY });
        expect([answer.status, answer.json.error]).toEqual([401, 'ERR_TOKEN_MISSING']);
      }
    });
  });
}
