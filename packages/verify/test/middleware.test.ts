import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedAxios } from '@signet/axios';
import { requestSigner } from '@signet/core';
import { memoryReplayStore, requestVerifier, withSignet } from '@signet/verify';
import { NOW, SERVER_KINDS, type Seen, type SignetServer, binaryBytes, expectRefused, fixedClock, listen, rsaKeys, sendRaw, startSignetServer } from './support/servers.js';

const API_KEY = 'merchant-7';
const sha256Hex = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe.each(SERVER_KINDS)('the middleware on %s', (kind) => {
  const { privateKey, publicKey } = rsaKeys();
  const signer = requestSigner({ apiKey: API_KEY, privateKey, clock: fixedClock });
  let server: SignetServer;
  let replayServer: SignetServer;
  let signed: AxiosInstance;
  let plain: AxiosInstance;

  beforeAll(async () => {
    server = await startSignetServer(kind, requestVerifier({ publicKey, clock: fixedClock }));
    replayServer = await startSignetServer(kind, requestVerifier({ publicKey, clock: fixedClock, replay: memoryReplayStore({ clock: fixedClock }) }));
    signed = createSignedAxios(signer, { baseURL: server.origin, validateStatus: () => true, timeout: 5000 });
    plain = axios.create({ baseURL: server.origin, validateStatus: () => true, timeout: 5000 });
  });

  afterAll(async () => {
    await Promise.all([server?.close(), replayServer?.close()]);
  });

  /** The one handler call the last request caused. */
  async function handled<T>(send: () => Promise<T>): Promise<[T, Seen]> {
    const before = server.seen.length;
    const result = await send();
    expect(server.seen.length).toBe(before + 1);
    return [result, server.seen[before] as Seen];
  }

  /** Sends, and expects the route handler not to run. */
  async function refused<T>(target: SignetServer, send: () => Promise<T>): Promise<T> {
    const before = target.seen.length;
    const result = await send();
    expect(target.seen.length).toBe(before);
    return result;
  }

  describe('passes signed requests on', () => {
    it('passes a signed GET with params, with claims bound to the path and query received', async () => {
      const [response, seen] = await handled(() => signed.get('/items', { params: { q: 'a b', page: 2 } }));

      expect(response.status).toBe(200);
      expect(seen.method).toBe('GET');
      expect(seen.url).toBe('/items?q=a+b&page=2');
      expect(seen.signet).toMatchObject({ sub: API_KEY, uri: seen.url, iat: NOW / 1000, exp: NOW / 1000 + 55, bodyHash: sha256Hex('{}') });
      expect(seen.rawBody).toEqual(Buffer.alloc(0));
      expect(seen.hasBody).toBe(false);
    });

    it('passes a JSON POST and hands the route its exact bytes and the parsed body', async () => {
      const payload = { amount: 1000, currency: 'KRW', memo: '커피 ☕', nested: { ok: true } };
      const [response, seen] = await handled(() => signed.post('/orders?dryRun=1', payload));

      expect(response.status).toBe(200);
      expect(seen.url).toBe('/orders?dryRun=1');
      expect(seen.signet).toMatchObject({ sub: API_KEY, uri: '/orders?dryRun=1', bodyHash: sha256Hex(JSON.stringify(payload)) });
      expect(seen.rawBody).toEqual(Buffer.from(JSON.stringify(payload), 'utf8'));
      expect(seen.body).toEqual(payload);
      if (kind === 'node:http') expect(seen.handlerArgs).toEqual({ claims: seen.signet, body: seen.rawBody });
    });

    it('passes a urlencoded POST and parses its fields', async () => {
      const form = new URLSearchParams({ item: 'tea & cake', qty: '2' });
      const [response, seen] = await handled(() => signed.post('/forms', form));

      expect(response.status).toBe(200);
      expect(String(seen.headers['content-type'])).toMatch(/^application\/x-www-form-urlencoded/);
      expect(seen.rawBody?.toString('utf8')).toBe(form.toString());
      expect(seen.body).toEqual({ item: 'tea & cake', qty: '2' });
    });

    it('passes a binary PUT and hands the route the bytes as a Buffer', async () => {
      const bytes = binaryBytes(700);
      const [response, seen] = await handled(() => signed.put('/blobs/7', bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));

      expect(response.status).toBe(200);
      expect(seen.signet).toMatchObject({ uri: '/blobs/7', bodyHash: sha256Hex(bytes) });
      expect(seen.rawBody).toEqual(bytes);
      expect(Buffer.isBuffer(seen.body)).toBe(true);
      expect(seen.body).toEqual(bytes);
    });

    it('passes a DELETE without a body', async () => {
      const [response, seen] = await handled(() => signed.delete('/orders/42'));

      expect(response.status).toBe(200);
      expect(seen.method).toBe('DELETE');
      expect(seen.signet).toMatchObject({ sub: API_KEY, uri: '/orders/42', bodyHash: sha256Hex('{}') });
      expect(seen.rawBody).toEqual(Buffer.alloc(0));
      expect(seen.hasBody).toBe(false);
    });

    it('passes 100 concurrent signed POSTs, each handler seeing its own body and claims', async () => {
      const before = server.seen.length;
      const bodies = Array.from({ length: 100 }, (_, i) => ({ i, pad: 'x'.repeat(i * 7) }));
      const responses = await Promise.all(bodies.map((body) => signed.post(`/concurrent/${body.i}?i=${body.i}`, body)));

      expect(responses.map((response) => response.status)).toEqual(bodies.map(() => 200));
      expect(responses.map((response) => (response.data as { url: string }).url)).toEqual(bodies.map(({ i }) => `/concurrent/${i}?i=${i}`));
      const seen = server.seen.slice(before);
      expect(seen).toHaveLength(100);
      for (const entry of seen) {
        const i = (entry.body as { i: number }).i;
        expect(entry.url).toBe(`/concurrent/${i}?i=${i}`);
        expect(entry.signet).toMatchObject({ uri: entry.url, bodyHash: sha256Hex(JSON.stringify(bodies[i])) });
        expect(entry.rawBody?.toString('utf8')).toBe(JSON.stringify(bodies[i]));
      }
      expect(new Set(seen.map((entry) => (entry.body as { i: number }).i)).size).toBe(100);
    });
  });

  describe('answers 401 with a JSON reason and never calls the route', () => {
    it('refuses a request without a token with ERR_TOKEN_MISSING', async () => {
      const response = await refused(server, () => plain.post('/orders', { amount: 1 }));
      expectRefused(response, 401, 'ERR_TOKEN_MISSING');
    });

    it('refuses a body altered after signing with ERR_BODY_HASH_MISMATCH', async () => {
      const body = Buffer.from('{"amount":100}');
      const headers = await signer.sign({ method: 'POST', url: '/orders', body });
      const response = await refused(server, () => sendRaw(server.origin, { method: 'POST', path: '/orders', headers: { ...headers, 'content-type': 'application/json' }, body: Buffer.from('{"amount":900}') }));
      expectRefused(response, 401, 'ERR_BODY_HASH_MISMATCH');
    });

    it('refuses a token signed for another path with ERR_URI_MISMATCH', async () => {
      const headers = await signer.sign({ method: 'GET', url: '/orders/1' });
      const response = await refused(server, () => sendRaw(server.origin, { method: 'GET', path: '/orders/2', headers }));
      expectRefused(response, 401, 'ERR_URI_MISMATCH');
    });

    it('refuses a token signed for another query with ERR_URI_MISMATCH', async () => {
      const headers = await signer.sign({ method: 'GET', url: '/refunds?amount=1' });
      const response = await refused(server, () => sendRaw(server.origin, { method: 'GET', path: '/refunds?amount=100', headers }));
      expectRefused(response, 401, 'ERR_URI_MISMATCH');
    });

    it('refuses an expired token with ERR_TOKEN_EXPIRED', async () => {
      const stale = createSignedAxios(requestSigner({ apiKey: API_KEY, privateKey, clock: () => NOW - 120_000 }), {
        baseURL: server.origin,
        validateStatus: () => true,
      });
      const response = await refused(server, () => stale.get('/items'));
      expectRefused(response, 401, 'ERR_TOKEN_EXPIRED');
    });

    it('refuses the second send of the same headers and body with ERR_TOKEN_REPLAYED', async () => {
      const body = Buffer.from('{"amount":5}');
      // A replay store identifies each token by its nonce: the signer must add one.
      const nonceSigner = requestSigner({ apiKey: API_KEY, privateKey, clock: fixedClock, nonce: true });
      const headers = { ...(await nonceSigner.sign({ method: 'POST', url: '/payments', body })), 'content-type': 'application/json' };
      const first = await sendRaw(replayServer.origin, { method: 'POST', path: '/payments', headers, body });
      expect(first.status).toBe(200);
      expect(replayServer.seen.at(-1)?.rawBody).toEqual(body);

      const second = await refused(replayServer, () => sendRaw(replayServer.origin, { method: 'POST', path: '/payments', headers, body }));
      expectRefused(second, 401, 'ERR_TOKEN_REPLAYED');
    });

    it('refuses a token without a nonce with ERR_NONCE_REQUIRED where a replay store is configured', async () => {
      const body = Buffer.from('{"amount":6}');
      const headers = { ...(await signer.sign({ method: 'POST', url: '/payments', body })), 'content-type': 'application/json' };
      const answer = await refused(replayServer, () => sendRaw(replayServer.origin, { method: 'POST', path: '/payments', headers, body }));
      expectRefused(answer, 401, 'ERR_NONCE_REQUIRED');
      // The same token passes where no replay store is configured: the refusal is the store's requirement.
      expect((await sendRaw(server.origin, { method: 'POST', path: '/payments', headers, body })).status).toBe(200);
    });

    it('never puts the token into the refusal', async () => {
      const headers = await signer.sign({ method: 'GET', url: '/orders/1' });
      const response = await refused(server, () => sendRaw(server.origin, { method: 'GET', path: '/orders/1?x=1', headers }));
      expectRefused(response, 401, 'ERR_URI_MISMATCH');
      const token = String(headers['Authorization']).slice('Bearer '.length);
      expect(JSON.stringify(response.data)).not.toContain(token.split('.')[2]);
      expect(JSON.stringify(response.headers)).not.toContain(token.split('.')[2]);
    });
  });
});

describe('withSignet behind a handler that already read the body', () => {
  it('answers 500 {"error":"ERR_BODY_CONSUMED"} and never calls the handler, even for a correctly signed request', async () => {
    const { privateKey, publicKey } = rsaKeys();
    const calls: unknown[] = [];
    const guarded = withSignet(requestVerifier({ publicKey, clock: fixedClock }), (_req, res, claims) => {
      calls.push(claims);
      res.end('ok');
    });
    // A body parser of its own before withSignet: it drains the stream, then hands the request on.
    const server = await listen((req, res) => {
      req.resume();
      req.on('end', () => guarded(req, res));
    });
    try {
      const body = Buffer.from('{"amount":7}');
      const headers = { ...(await requestSigner({ apiKey: API_KEY, privateKey, clock: fixedClock }).sign({ method: 'POST', url: '/orders', body })), 'content-type': 'application/json' };
      const answer = await sendRaw(server.origin, { method: 'POST', path: '/orders', headers, body });
      expect({ status: answer.status, data: answer.data }).toEqual({ status: 500, data: { error: 'ERR_BODY_CONSUMED' } });
      expect(calls).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
