import { Buffer } from 'node:buffer';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOneSigner, requestSigner } from '@signet/core';
import { type ReplayStore, memoryReplayStore, portOneVerifier, requestVerifier } from '@signet/verify';
import { type FrameworkKind, type FrameworkServer, startFrameworkServer } from './frameworks.js';
import { type Answer, binaryBytes, countingVerifier, expectRefused, rsaKeys, sendRaw } from './servers.js';
import { sha256Hex } from './tokens.js';

const MAX_BODY = 1024;
const MAX_HEADER = 2048;
const PORTONE_SECRET = 'portone-secret-key-for-tests';
const PORTONE_CLIENT = 'client-key-1';

/** `sendRaw`, or 'no answer' once `deadlineMs` passed: a hang guard for a server that would wait for the body. */
function answerOrNone(origin: string, request: Parameters<typeof sendRaw>[1], deadlineMs = 5_000): Promise<Answer | 'no answer'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'no answer'>((resolve) => {
    timer = setTimeout(() => resolve('no answer'), deadlineMs);
  });
  return Promise.race([sendRaw(origin, request), deadline]).finally(() => clearTimeout(timer));
}

const down: ReplayStore = { claim: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:6379')) };

/**
 * The answers every transport owes, checked on a real server of `kind` on 127.0.0.1: the same as the Express
 * middleware's (middleware-limits, middleware-prebody, middleware-providers).
 */
export function describeFrameworkVerification(kind: FrameworkKind): void {
  const { privateKey, publicKey } = rsaKeys();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const limited = countingVerifier(requestVerifier({ publicKey, replay: memoryReplayStore() }));
  const servers: Record<'main' | 'down' | 'portOne', FrameworkServer | undefined> = { main: undefined, down: undefined, portOne: undefined };
  const main = (): FrameworkServer => servers.main as FrameworkServer;

  beforeAll(async () => {
    servers.main = await startFrameworkServer(kind, limited, { maxBodyBytes: MAX_BODY, maxHeaderBytes: MAX_HEADER });
    servers.down = await startFrameworkServer(kind, requestVerifier({ publicKey, replay: down }));
    servers.portOne = await startFrameworkServer(kind, portOneVerifier({ clientKey: PORTONE_CLIENT, secretKey: PORTONE_SECRET }));
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).flatMap((server) => (server === undefined ? [] : [server.close()])));
  });

  const nonceSigner = requestSigner({ apiKey: 'merchant-7', privateKey, nonce: true });
  const signed = async (method: string, url: string, body?: Buffer): Promise<Record<string, string>> => nonceSigner.sign({ method, url, ...(body === undefined ? {} : { body }) });

  describe(`${kind}: accepted requests`, () => {
    it('accepts a token minted by jsonwebtoken for the path, query and body, and hands over the exact verified bytes', async () => {
      const body = Buffer.from('{"amount":100,"currency":"EUR"}');
      const iat = Math.floor(Date.now() / 1000);
      const token = jwt.sign({ uri: '/v1/payments?amount=100', bodyHash: sha256Hex(body), sub: 'merchant-7', iat, exp: iat + 55, nonce: 'jwt-nonce-1' }, privatePem, { algorithm: 'RS256' });

      const answer = await sendRaw(main().origin, { method: 'POST', path: '/v1/payments?amount=100', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

      expect(answer.status).toBe(200);
      const seen = main().seen.at(-1);
      expect(seen?.url).toBe('/v1/payments?amount=100');
      expect(seen?.claims).toMatchObject({ sub: 'merchant-7', uri: '/v1/payments?amount=100', nonce: 'jwt-nonce-1' });
      expect(seen?.body).toEqual(body);
      if (kind !== 'verifyFetchRequest') expect(seen?.parsed).toEqual({ amount: 100, currency: 'EUR' });
    });

    it('accepts a binary body signed by requestSigner (with a nonce) once, and refuses its replay with ERR_TOKEN_REPLAYED', async () => {
      const body = binaryBytes(MAX_BODY);
      const headers = { ...(await signed('PUT', '/v1/files/1', body)), 'content-type': 'application/octet-stream' };

      const first = await sendRaw(main().origin, { method: 'PUT', path: '/v1/files/1', headers, body });
      const replay = await sendRaw(main().origin, { method: 'PUT', path: '/v1/files/1', headers, body });

      expect(first.status).toBe(200);
      expect(main().seen.at(-1)?.body).toEqual(body);
      expectRefused(replay, 401, 'ERR_TOKEN_REPLAYED');
    });

    it('accepts a bodiless GET signed by portOneSigner', async () => {
      const headers = await portOneSigner({ clientKey: PORTONE_CLIENT, secretKey: PORTONE_SECRET }).sign({ method: 'GET', url: '/api/status' });
      const answer = await sendRaw(servers.portOne!.origin, { method: 'GET', path: '/api/status', headers: headers });
      expect(answer.status).toBe(200);
      expect(servers.portOne!.seen.at(-1)?.claims).toMatchObject({ iss: 'PORTONE', sub: PORTONE_CLIENT });
    });
  });

  describe(`${kind}: refusals, as the Express middleware answers them`, () => {
    it('refuses a tampered body with 401 ERR_BODY_HASH_MISMATCH and never reaches the handler', async () => {
      const headers = { ...(await signed('POST', '/v1/payments', Buffer.from('{"amount":100}'))), 'content-type': 'application/json' };
      const seen = main().seen.length;

      const answer = await sendRaw(main().origin, { method: 'POST', path: '/v1/payments', headers, body: Buffer.from('{"amount":999}') });

      expectRefused(answer, 401, 'ERR_BODY_HASH_MISMATCH');
      expect(main().seen.length).toBe(seen);
    });

    it('answers an unsigned request with a stalled body 401 from its headers alone, without reading the body, and closes', async () => {
      const completions = limited.completions;
      const answer = await answerOrNone(main().origin, { method: 'POST', path: '/v1/payments', headers: { 'content-type': 'application/json' }, withheldLength: 512 });

      expect(answer).not.toBe('no answer');
      expectRefused(answer as Answer, 401, 'ERR_TOKEN_MISSING');
      expect((answer as Answer).headers['connection']).toBe('close');
      expect(limited.completions).toBe(completions);
    });

    it('answers 413 ERR_REQUEST_TOO_LARGE from a Content-Length over maxBodyBytes, without waiting for the body', async () => {
      const calls = limited.calls;
      const headers = { ...(await signed('POST', '/v1/uploads', Buffer.alloc(10))), 'content-type': 'application/octet-stream' };

      const answer = await answerOrNone(main().origin, { method: 'POST', path: '/v1/uploads', headers, withheldLength: 10 * 1024 * 1024 });

      expect(answer).not.toBe('no answer');
      expectRefused(answer as Answer, 413, 'ERR_REQUEST_TOO_LARGE');
      expect(limited.calls).toBe(calls);
    });

    it('answers 413 ERR_REQUEST_TOO_LARGE to a signed chunked body over maxBodyBytes, stopping the read at the limit', async () => {
      const body = binaryBytes(MAX_BODY * 3);
      const completions = limited.completions;
      const headers = { ...(await signed('POST', '/v1/uploads', body)), 'content-type': 'application/octet-stream' };

      const answer = await sendRaw(main().origin, { method: 'POST', path: '/v1/uploads', headers, body, chunkSize: 300 });

      expectRefused(answer, 413, 'ERR_REQUEST_TOO_LARGE');
      expect(limited.completions).toBe(completions);
    });

    it('answers 431 ERR_REQUEST_TOO_LARGE to an Authorization header over maxHeaderBytes, before any cryptography', async () => {
      const calls = limited.calls;
      const answer = await sendRaw(main().origin, { method: 'GET', path: '/v1/x', headers: { authorization: `Bearer ${'a'.repeat(MAX_HEADER)}` } });

      expectRefused(answer, 431, 'ERR_REQUEST_TOO_LARGE');
      expect(limited.calls).toBe(calls);
    });

    it('answers 503 ERR_REPLAY_STORE_UNAVAILABLE while the replay store is down, never accepting', async () => {
      const answer = await sendRaw(servers.down!.origin, { method: 'GET', path: '/v1/x', headers: await signed('GET', '/v1/x') });

      expectRefused(answer, 503, 'ERR_REPLAY_STORE_UNAVAILABLE');
      expect(servers.down!.seen).toEqual([]);
    });
  });
}
