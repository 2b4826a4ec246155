import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import axiosRetry from 'axios-retry';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { type HoldingServer, startHoldingServer, testKeys } from '@signet/test-support';

// A retry is a new request on the wire: each attempt must carry a token of its own (with `nonce`, a nonce of its
// own, so a replay store accepts it), still bound to the same request line and body bytes.

const keys = testKeys().rsa;
const FAILURES = 3;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function failingFirst(): Promise<HoldingServer> {
  const server = await startHoldingServer(FAILURES);
  cleanups.push(() => server.close());
  return server;
}

/** An agent that counts the connections it opens (keep-alive off: one per attempt). */
class CountingAgent extends Agent {
  connections = 0;
  constructor() {
    super({ keepAlive: false });
  }
  override createConnection(...args: Parameters<Agent['createConnection']>): ReturnType<Agent['createConnection']> {
    this.connections += 1;
    return super.createConnection(...args);
  }
}

describe('retries with axios-retry', () => {
  it('every attempt carries a distinct token with a distinct nonce, each verifying for the same uri and body', async () => {
    const server = await failingFirst();
    const api = createSignedAxios(requestSigner({ apiKey: 'key-retry', privateKey: keys.privateKeyPem, nonce: true }), { baseURL: server.origin });
    axiosRetry(api, { retries: FAILURES, retryDelay: () => 0, retryCondition: (error) => error.response?.status === 503 });

    const response = await api.post('/retry?order=7', { amount: 1250 });

    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(FAILURES + 1);
    const tokens = server.requests.map(({ headers }) => String(headers['authorization']).replace(/^Bearer /, ''));
    const claims = server.requests.map(({ url, body }, index) => {
      const verified = jwt.verify(tokens[index] as string, keys.publicKey, { algorithms: ['RS256'] }) as jwt.JwtPayload;
      expect(verified['uri']).toBe(url);
      expect(verified['bodyHash']).toBe(createHash('sha256').update(body).digest('hex'));
      return verified;
    });
    expect(new Set(server.requests.map(({ url }) => url))).toEqual(new Set(['/retry?order=7']));
    expect(new Set(server.requests.map(({ body }) => body.toString()))).toEqual(new Set(['{"amount":1250}']));
    expect(new Set(tokens).size).toBe(FAILURES + 1);
    expect(claims.every((claim) => typeof claim['nonce'] === 'string' && claim['nonce'] !== '')).toBe(true);
    expect(new Set(claims.map((claim) => claim['nonce'])).size).toBe(FAILURES + 1);
  });

  it('a retry goes out on the httpAgent the request named, which its error withheld from view', async () => {
    const server = await failingFirst();
    const agent = new CountingAgent();
    cleanups.push(() => agent.destroy());
    const api = createSignedAxios(requestSigner({ apiKey: 'key-retry', privateKey: keys.privateKeyPem, nonce: true }), { baseURL: server.origin });
    axiosRetry(api, { retries: FAILURES, retryDelay: () => 0, retryCondition: (error) => error.response?.status === 503 });

    const response = await api.get('/retry', { httpAgent: agent });

    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(FAILURES + 1);
    expect(agent.connections).toBe(FAILURES + 1);
    expect(response.config.httpAgent).not.toBe(agent);
  });
});
