import jwt from 'jsonwebtoken';
import type { JwtPayload } from 'jsonwebtoken';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { portOneSigner } from '@signet/core';
import type { PortOneSignerOptions } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { interceptWithNock, type Received, startServer } from '@signet/test-support';

const CLIENT_KEY = 'SglffyyZgojEdXWL'; // document 001's sample PortOne key
const SECRET_KEY = 'portone-secret-key-for-tests-4b1d';
const ORDER_REF = 'MERCHANT1647433108462'; // document 001's sample order reference
const NOW_MS = 1_700_000_000_750; // a fixed clock, part-way into second 1_700_000_000
const NOW = 1_700_000_000;

interface Transport {
  name: string;
  start(): Promise<{ origin: string; received: Received[]; stop(): Promise<void> }>;
}

const transports: Transport[] = [
  {
    name: 'a real node:http server',
    async start() {
      if (nock.isActive()) nock.restore();
      const server = await startServer();
      return { origin: server.origin, received: server.received, stop: () => server.close() };
    },
  },
  {
    name: 'nock',
    async start() {
      nock.disableNetConnect();
      const recorder = interceptWithNock('https://api.portone.test');
      return {
        origin: 'https://api.portone.test',
        received: recorder.received,
        stop: async () => {
          recorder.done();
          nock.enableNetConnect();
        },
      };
    },
  },
];

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

/**
 * jsonwebtoken's token for exactly these claims, in this order. (Its noTimestamp option would delete a given iat;
 * without it, a given iat is kept as it is.)
 */
function referenceToken(claims: Record<string, unknown>, secret: string): string {
  return jwt.sign(claims, secret, { algorithm: 'HS256' });
}

function only(received: Received[]): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

/** The received token, verified by jsonwebtoken with the secret, as of `now` (seconds) when given. */
function verifiedPortOneToken(received: Received, secret: string, now?: number): { header: object; claims: JwtPayload; token: string } {
  const authorization = String(received.headers['authorization']);
  expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  const token = authorization.slice('Bearer '.length);
  const decoded = jwt.verify(token, secret, { algorithms: ['HS256'], complete: true, ...(now === undefined ? {} : { clockTimestamp: now }) });
  return { header: decoded.header, claims: decoded.payload as JwtPayload, token };
}

describe.each(transports)('PortOne authentication, as $name receives it', (transport) => {
  async function api(overrides: Partial<PortOneSignerOptions> = {}) {
    const wire = await transport.start();
    stops.push(wire.stop);
    const client = createSignedAxios(portOneSigner({ clientKey: CLIENT_KEY, secretKey: SECRET_KEY, ...overrides }), { baseURL: wire.origin });
    return { client, received: wire.received };
  }

  it('sends Authorization: Bearer <HS256 token> and X-Portone-Client-Key on GET /api/transaction/{ref}/status', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { client, received } = await api();
    const response = await client.get(`/api/transaction/${ORDER_REF}/status`);
    const after = Math.floor(Date.now() / 1000);
    expect(response.status).toBe(200);

    const request = only(received);
    expect(request.method).toBe('GET');
    expect(request.url).toBe(`/api/transaction/${ORDER_REF}/status`);
    expect(request.headers['x-portone-client-key']).toBe(CLIENT_KEY);
    const { header, claims } = verifiedPortOneToken(request, SECRET_KEY);
    expect(header).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'iss', 'sub']);
    expect(claims.iss).toBe('PORTONE');
    expect(claims.sub).toBe(CLIENT_KEY);
    expect(Number.isInteger(claims.iat)).toBe(true);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
    expect(claims.exp).toBe((claims.iat as number) + 100);
  });

  it('signs POST /api/paymentLink and sends the JSON body unchanged', async () => {
    const { client, received } = await api();
    const body = { amount: 5000, currency: 'VND', merchant_order_ref: ORDER_REF, customer: { name: 'Nguyễn Văn A', email: 'a@example.com' } };
    await client.post('/api/paymentLink', body);

    const request = only(received);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/paymentLink');
    expect(String(request.headers['content-type'])).toMatch(/^application\/json/);
    expect(request.body.toString('utf8')).toBe(JSON.stringify(body));
    expect(request.headers['x-portone-client-key']).toBe(CLIENT_KEY);
    const { claims } = verifiedPortOneToken(request, SECRET_KEY);
    expect(claims).toStrictEqual({ iss: 'PORTONE', sub: CLIENT_KEY, iat: claims.iat, exp: (claims.iat as number) + 100 });
  });

  it('sends exactly the token jsonwebtoken makes for {iss, sub, iat, exp} with a fixed clock', async () => {
    const { client, received } = await api({ clock: () => NOW_MS });
    await client.get(`/api/transaction/${ORDER_REF}/status`);
    const expected = referenceToken({ iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 }, SECRET_KEY);
    expect(jwt.decode(expected)).toStrictEqual({ iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 });
    expect(Object.keys(jwt.decode(expected) as object)).toEqual(['iss', 'sub', 'iat', 'exp']);
    expect(only(received).headers['authorization']).toBe(`Bearer ${expected}`);
  });

  it("uses issuer: 'CHAIPAY' as iss, for older accounts", async () => {
    const { client, received } = await api({ issuer: 'CHAIPAY', clock: () => NOW_MS });
    await client.get(`/api/transaction/${ORDER_REF}/status`);
    const { claims, token } = verifiedPortOneToken(only(received), SECRET_KEY, NOW);
    expect(claims).toStrictEqual({ iss: 'CHAIPAY', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 });
    expect(token).toBe(referenceToken({ iss: 'CHAIPAY', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 }, SECRET_KEY));
  });

  it('uses expiresInSeconds for exp', async () => {
    const { client, received } = await api({ expiresInSeconds: 3600, clock: () => NOW_MS });
    await client.post('/api/paymentLink', { amount: 1 });
    const { claims } = verifiedPortOneToken(only(received), SECRET_KEY, NOW + 3599);
    expect(claims).toStrictEqual({ iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 3600 });
  });

  it('gives a token that jsonwebtoken refuses once its 100 seconds are over', async () => {
    const { client, received } = await api({ clock: () => NOW_MS });
    await client.get(`/api/transaction/${ORDER_REF}/status`);
    const request = only(received);
    expect(verifiedPortOneToken(request, SECRET_KEY, NOW + 99).claims.exp).toBe(NOW + 100);
    expect(() => verifiedPortOneToken(request, SECRET_KEY, NOW + 100)).toThrow(jwt.TokenExpiredError);
    expect(() => verifiedPortOneToken(request, 'another secret', NOW)).toThrow(jwt.JsonWebTokenError);
  });
});
