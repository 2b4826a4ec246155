import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AxiosError, type AxiosResponse, isAxiosError } from 'axios';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { SignetError, jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner, type Signer } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { type Verifier, portOneVerifier, requestVerifier, withSignet } from '@signet/verify';
import { testKeys, thrown } from '@signet/test-support';

const keys = testKeys().rsa;
const apiKey = 'merchant-clock-test';
const MINUTE = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface SkewedServer {
  origin: string;
  /** One entry per request received: the status it was answered with and, for a refusal, the verifier's code. */
  answered: { status: number; code?: string }[];
  /** How many requests arrived since the last call. */
  takeCount(): number;
}

/**
 * A real server whose clock runs `skewMs` ahead of this host's: `@signet/verify` checks tokens on that clock, and
 * every response (401s too) carries that clock in its `Date` header, unless `dateHeader` says otherwise.
 */
async function startSkewedServer(
  skewMs: number,
  verifierOn: (clock: () => number) => Verifier,
  dateHeader: (index: number) => string | undefined = () => new Date(Date.now() + skewMs).toUTCString(),
): Promise<SkewedServer> {
  const answered: SkewedServer['answered'] = [];
  let counted = 0;
  const verified = withSignet(
    verifierOn(() => Date.now() + skewMs),
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
  );
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const date = dateHeader(answered.length);
    if (date === undefined) res.sendDate = false;
    else res.setHeader('Date', date);
    const chunks: Buffer[] = [];
    const end = res.end.bind(res);
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
      const entry: { status: number; code?: string } = { status: res.statusCode };
      if (res.statusCode !== 200) entry.code = String((JSON.parse(Buffer.concat(chunks).toString() || '{}') as { error?: unknown }).error);
      answered.push(entry);
      return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    verified(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    takeCount: () => {
      const count = answered.length - counted;
      counted = answered.length;
      return count;
    },
  };
}

const requestScheme = (clock: () => number): Verifier => requestVerifier({ publicKey: keys.publicKeyPem, clock, clockToleranceSeconds: 5 });

async function rejection(promise: Promise<unknown>): Promise<AxiosError<{ error?: string }>> {
  try {
    await promise;
  } catch (error) {
    if (isAxiosError<{ error?: string }>(error)) return error;
    throw error;
  }
  throw new Error('The request was expected to fail, but it succeeded.');
}

describe('a server whose clock is 2 minutes ahead of this host', () => {
  it('refuses a token signed on this host’s clock as expired (from the past)', async () => {
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin });

    const error = await rejection(api.get('/v1/balance'));

    expect(error.response?.status).toBe(401);
    expect(error.response?.data.error).toBe('ERR_TOKEN_EXPIRED');
    expect(server.answered).toEqual([{ status: 401, code: 'ERR_TOKEN_EXPIRED' }]);
  });

  it('accepts a token from a signer with clockOffsetSeconds: 120', async () => {
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem, clockOffsetSeconds: 120 }), { baseURL: server.origin });

    const response = await api.post('/v1/payments', { amount: 100 });

    expect(response.status).toBe(200);
    expect(server.answered).toEqual([{ status: 200 }]);
  });

  it('refuses a token from a signer with clockOffsetSeconds: 240 as issued in the future', async () => {
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem, clockOffsetSeconds: 240 }), { baseURL: server.origin });

    const error = await rejection(api.get('/v1/balance'));

    expect(error.response?.status).toBe(401);
    expect(error.response?.data.error).toBe('ERR_TOKEN_FUTURE');
    expect(server.answered).toEqual([{ status: 401, code: 'ERR_TOKEN_FUTURE' }]);
  });

  it("with clockSkew 'auto', the first request succeeds after one transparent re-signed retry, later ones at once", async () => {
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin }, { clockSkew: 'auto' });

    const first = await api.post('/v1/payments', { amount: 100 });

    expect(first.status).toBe(200);
    expect(server.takeCount()).toBe(2);
    expect(server.answered).toEqual([{ status: 401, code: 'ERR_TOKEN_EXPIRED' }, { status: 200 }]);
    for (const path of ['/v1/balance', '/v1/orders?page=2', '/v1/refunds']) {
      const later = await api.get(path);
      expect(later.status).toBe(200);
      expect(server.takeCount()).toBe(1);
    }
  });

  it("with clockSkew 'auto', concurrent first requests each recover with a single retry", async () => {
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin }, { clockSkew: 'auto' });

    const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => api.get(`/v1/items/${i}`)));

    expect(responses.map((response: AxiosResponse) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.answered.length).toBeGreaterThanOrEqual(6);
    expect(server.answered.length).toBeLessThanOrEqual(10);
    expect(server.answered.filter((entry) => entry.status === 200)).toHaveLength(5);
  });

  it("with clockSkew 'auto', the learned offset belongs to the instance: a second instance learns it again", async () => {
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const signer = requestSigner({ apiKey, privateKey: keys.privateKeyPem });
    const first = createSignedAxios(signer, { baseURL: server.origin }, { clockSkew: 'auto' });
    const second = createSignedAxios(signer, { baseURL: server.origin }, { clockSkew: 'auto' });

    await first.get('/v1/a');
    expect(server.takeCount()).toBe(2);
    await second.get('/v1/b');
    expect(server.takeCount()).toBe(2);
    await first.get('/v1/c');
    expect(server.takeCount()).toBe(1);
  });

  it("with clockSkew 'off' (the default), a 401 is never resent and the instance keeps failing", async () => {
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin });

    for (let i = 0; i < 2; i++) {
      expect((await rejection(api.get('/v1/balance'))).response?.status).toBe(401);
      expect(server.takeCount()).toBe(1);
    }
  });

  it("a signer's clockOffsetSeconds combined with clockSkew 'auto' keeps every request working", async () => {
    // The merchant had corrected the host's clock by hand (120 s) before turning 'auto' on: nothing may break.
    const server = await startSkewedServer(2 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem, clockOffsetSeconds: 120 }), { baseURL: server.origin }, { clockSkew: 'auto' });

    const statuses: number[] = [];
    for (const path of ['/v1/a', '/v1/b', '/v1/c']) {
      statuses.push(
        await api.get(path).then(
          (response) => response.status,
          (error: AxiosError) => error.response?.status ?? 0,
        ),
      );
    }

    expect(statuses).toEqual([200, 200, 200]);
  });
});

describe('a server whose clock is 2 minutes behind this host', () => {
  it("refuses a token from this host as issued in the future; clockSkew 'auto' recovers with one retry", async () => {
    const server = await startSkewedServer(-2 * MINUTE, requestScheme);
    const plain = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin });
    const auto = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin }, { clockSkew: 'auto' });

    const error = await rejection(plain.get('/v1/balance'));
    expect(error.response?.data.error).toBe('ERR_TOKEN_FUTURE');
    expect(server.takeCount()).toBe(1);

    expect((await auto.get('/v1/balance')).status).toBe(200);
    expect(server.takeCount()).toBe(2);
    expect((await auto.get('/v1/balance')).status).toBe(200);
    expect(server.takeCount()).toBe(1);
  });
});

describe('the bound on what clockSkew auto believes', () => {
  it('a Date header 20 minutes ahead is not believed (maxClockSkewSeconds defaults to 600): requests fail and keep failing', async () => {
    const server = await startSkewedServer(20 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin }, { clockSkew: 'auto' });

    for (let i = 0; i < 3; i++) {
      const error = await rejection(api.get('/v1/balance'));
      expect(error.response?.status).toBe(401);
      expect(error.response?.data.error).toBe('ERR_TOKEN_EXPIRED');
      expect(server.takeCount()).toBe(1);
    }
  });

  it('maxClockSkewSeconds: 1800 lets it learn a 20-minute skew', async () => {
    const server = await startSkewedServer(20 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin }, { clockSkew: 'auto', maxClockSkewSeconds: 1800 });

    expect((await api.get('/v1/balance')).status).toBe(200);
    expect(server.takeCount()).toBe(2);
    expect((await api.get('/v1/balance')).status).toBe(200);
    expect(server.takeCount()).toBe(1);
  });

  it.each([0, -1, 1.5, 86_401, Number.NaN, '600'])('maxClockSkewSeconds %s is refused with ERR_INVALID_OPTION', (value) => {
    const error = thrown(() => createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: 'http://127.0.0.1:9' }, { clockSkew: 'auto', maxClockSkewSeconds: value as number }));
    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe('ERR_INVALID_OPTION');
  });

  it("clockSkew other than 'off' or 'auto' is refused with ERR_INVALID_OPTION", () => {
    const error = thrown(() => createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: 'http://127.0.0.1:9' }, { clockSkew: 'on' as 'auto' }));
    expect((error as SignetError).code).toBe('ERR_INVALID_OPTION');
  });
});

describe('where a Date header is believed from', () => {
  it('a request refused for its origin never changes the offset: the pinned skewed server still takes 2 attempts', async () => {
    const pinned = await startSkewedServer(2 * MINUTE, requestScheme);
    const elsewhere = await startSkewedServer(7 * MINUTE, requestScheme);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: pinned.origin }, { clockSkew: 'auto' });

    const refused = await api.get(`${elsewhere.origin}/v1/balance`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SignetError);
    expect((refused as SignetError).code).toBe('ERR_ORIGIN_NOT_ALLOWED');
    const viaBaseUrl = await api.get('/v1/balance', { baseURL: elsewhere.origin }).catch((error: unknown) => error);
    expect((viaBaseUrl as SignetError).code).toBe('ERR_ORIGIN_NOT_ALLOWED');
    expect(elsewhere.answered).toEqual([]);

    expect((await api.get('/v1/balance')).status).toBe(200);
    expect(pinned.takeCount()).toBe(2);
  });

  it('garbage or missing Date headers are ignored: no retry, no offset learned from them', async () => {
    const garbage = ['yesterday', 'Mon, 32 Foo 2024 25:61:61 GMT', undefined, ''];
    const server = await startSkewedServer(2 * MINUTE, requestScheme, (index) => (index < garbage.length ? garbage[index] : new Date(Date.now() + 2 * MINUTE).toUTCString()));
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin }, { clockSkew: 'auto' });

    for (let i = 0; i < garbage.length; i++) {
      expect((await rejection(api.get('/v1/balance'))).response?.data.error).toBe('ERR_TOKEN_EXPIRED');
      expect(server.takeCount()).toBe(1);
    }
    // Once a real Date arrives, the skew is learned as if nothing had come before.
    expect((await api.get('/v1/balance')).status).toBe(200);
    expect(server.takeCount()).toBe(2);
  });

  it('a 401 from a server on this host’s clock is not resent', async () => {
    // A verifier with another key: the token is refused for its signature, whatever the time.
    const other = requestVerifier({ publicKey: testKeys().rsaOther.publicKey, clockToleranceSeconds: 5 });
    const server = await startSkewedServer(0, () => other);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin }, { clockSkew: 'auto' });

    const error = await rejection(api.get('/v1/balance'));

    expect(error.response?.data.error).toBe('ERR_SIGNATURE_INVALID');
    expect(server.takeCount()).toBe(1);
  });
});

describe('PortOne against a portOneVerifier whose clock is 2 minutes ahead', () => {
  const clientKey = 'portone-client-key';
  const secretKey = 'portone-secret-key-0123456789abcdef';
  const portOneScheme = (clock: () => number): Verifier => portOneVerifier({ clientKey, secretKey, clock, clockToleranceSeconds: 5 });

  it('fails without an offset and recovers transparently with clockSkew auto', async () => {
    const server = await startSkewedServer(2 * MINUTE, portOneScheme);
    const plain = createSignedAxios(portOneSigner({ clientKey, secretKey }), { baseURL: server.origin });
    const auto = createSignedAxios(portOneSigner({ clientKey, secretKey }), { baseURL: server.origin }, { clockSkew: 'auto' });

    expect((await rejection(plain.get('/api/transaction/o-1/status'))).response?.data.error).toBe('ERR_TOKEN_EXPIRED');
    expect(server.takeCount()).toBe(1);

    expect((await auto.get('/api/transaction/o-1/status')).status).toBe(200);
    expect(server.takeCount()).toBe(2);
    expect((await auto.post('/api/paymentLink', { amount: 5000 })).status).toBe(200);
    expect(server.takeCount()).toBe(1);
  });
});

describe('clockOffsetSeconds and signingTime in @signet/core', () => {
  const fixedMs = 1_700_000_000_500;
  const fixed = (): number => fixedMs;
  const nowSeconds = 1_700_000_000;
  const request = { method: 'GET', url: '/v1/x' };

  const signers: { name: string; make: (offset?: number) => Signer; header: string; lifetime: number }[] = [
    {
      name: 'requestSigner',
      make: (offset) => requestSigner({ apiKey, privateKey: keys.privateKeyPem, clock: fixed, ...(offset === undefined ? {} : { clockOffsetSeconds: offset }) }),
      header: 'Authorization',
      lifetime: 55,
    },
    {
      name: 'portOneSigner',
      make: (offset) => portOneSigner({ clientKey: 'ck', secretKey: 'sk-0123456789', clock: fixed, ...(offset === undefined ? {} : { clockOffsetSeconds: offset }) }),
      header: 'Authorization',
      lifetime: 100,
    },
    {
      name: 'twoCheckoutSigner',
      make: (offset) => twoCheckoutSigner({ merchantCode: 'M1', secretWord: 'word', clock: fixed, ...(offset === undefined ? {} : { clockOffsetSeconds: offset }) }),
      header: 'merchant-token',
      lifetime: 1800,
    },
    {
      name: 'jwtSigner',
      make: (offset) => jwtSigner({ algorithm: 'HS256', key: 'k'.repeat(32), clock: fixed, ...(offset === undefined ? {} : { clockOffsetSeconds: offset }) }),
      header: 'Authorization',
      lifetime: 300,
    },
  ];

  function claimsOf(headers: Record<string, string>, header: string): { iat: number; exp: number } {
    const token = String(headers[header]).replace(/^Bearer /, '');
    return jwt.decode(token) as { iat: number; exp: number };
  }

  describe.each(signers)('$name', ({ make, header, lifetime }) => {
    it.each([undefined, 0, 120, -90, 86_400, -86_400])('clockOffsetSeconds %s shifts iat and exp by exactly that many seconds', async (offset) => {
      const claims = claimsOf(await make(offset).sign(request), header);

      expect(claims.iat).toBe(nowSeconds + (offset ?? 0));
      expect(claims.exp).toBe(nowSeconds + (offset ?? 0) + lifetime);
    });

    it('a per-request signingTime replaces the signer’s clock and its clockOffsetSeconds', async () => {
      const serverMs = fixedMs - 30_000;
      const claims = claimsOf(await make(120).sign({ ...request, signingTime: serverMs }), header);

      expect(claims.iat).toBe(Math.floor(serverMs / 1000));
      expect(claims.exp).toBe(Math.floor(serverMs / 1000) + lifetime);
    });

    it.each([1.5, 'x', 100_000, -86_401, Number.NaN, Number.POSITIVE_INFINITY, null])('clockOffsetSeconds %s is refused with ERR_INVALID_OPTION', (offset) => {
      const error = thrown(() => make(offset as number));

      expect(error).toBeInstanceOf(SignetError);
      expect((error as SignetError).code).toBe('ERR_INVALID_OPTION');
    });

    it.each(['1700000000000', Number.NaN, Number.POSITIVE_INFINITY, -1, null])('a per-request signingTime of %s is refused with ERR_INVALID_REQUEST', async (signingTime) => {
      const error = await make()
        .sign({ ...request, signingTime: signingTime as number })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(SignetError);
      expect((error as SignetError).code).toBe('ERR_INVALID_REQUEST');
    });
  });
});
