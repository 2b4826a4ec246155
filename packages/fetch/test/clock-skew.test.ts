import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSigner, type SignableRequest, type Signer } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { requestVerifier, withSignet } from '@signet/verify';
import { testKeys, thrown } from '@signet/test-support';

// The same promises as @signet/axios's clockSkew (packages/axios/test/hardening-clock.test.ts), through the one
// pipeline both adapters share: a real node:http server whose clock, and Date header, run ahead of this host's.

const keys = testKeys().rsa;
const MINUTE = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface SkewedServer {
  origin: string;
  /** The status of every request received, in order. */
  statuses: number[];
  /** The bodies of the requests it accepted. */
  bodies: string[];
}

async function startSkewedServer(skewMs: number, dateHeader: () => string | undefined = () => new Date(Date.now() + skewMs).toUTCString()): Promise<SkewedServer> {
  const statuses: number[] = [];
  const bodies: string[] = [];
  const verifier = requestVerifier({ publicKey: keys.publicKeyPem, clock: () => Date.now() + skewMs, clockToleranceSeconds: 5 });
  const verified = withSignet(verifier, (_req, res, _claims, body) => {
    bodies.push(body.toString());
    res.end('{"ok":true}');
  });
  const server = createServer((req, res) => {
    const date = dateHeader();
    if (date === undefined) res.sendDate = false;
    else res.setHeader('Date', date);
    res.on('finish', () => statuses.push(res.statusCode));
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
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, statuses, bodies };
}

const signer = (): Signer => requestSigner({ apiKey: 'merchant-clock-test', privateKey: keys.privateKeyPem });

describe('createSignedFetch with a server whose clock is 2 minutes ahead', () => {
  it("with clockSkew 'off' (the default), the token is refused and never resent", async () => {
    const server = await startSkewedServer(2 * MINUTE);
    const signedFetch = createSignedFetch(signer(), { baseURL: server.origin });

    expect((await signedFetch('/v1/balance')).status).toBe(401);
    expect((await signedFetch('/v1/balance')).status).toBe(401);
    expect(server.statuses).toEqual([401, 401]);
  });

  it("with clockSkew 'auto', the first request succeeds after one re-signed retry, later ones at once", async () => {
    const server = await startSkewedServer(2 * MINUTE);
    const signedFetch = createSignedFetch(signer(), { baseURL: server.origin, clockSkew: 'auto' });

    const first = await signedFetch('/v1/payments', { method: 'POST', body: { amount: 100 } });
    expect(first.status).toBe(200);
    expect(server.statuses).toEqual([401, 200]);
    expect((await signedFetch('/v1/orders?page=2')).status).toBe(200);
    expect(server.statuses).toEqual([401, 200, 200]);
    expect(server.bodies[0]).toBe('{"amount":100}');
  });

  it("with clockSkew 'auto', a stream body is resent as the very bytes that were buffered and signed", async () => {
    const server = await startSkewedServer(2 * MINUTE);
    const signedFetch = createSignedFetch(signer(), { baseURL: server.origin, clockSkew: 'auto' });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('part-1,'));
        controller.enqueue(new TextEncoder().encode('part-2'));
        controller.close();
      },
    });

    const response = await signedFetch('/v1/upload', { method: 'PUT', body: stream });

    expect(response.status).toBe(200);
    expect(server.statuses).toEqual([401, 200]);
    expect(server.bodies).toEqual(['part-1,part-2']);
  });

  it("with clockSkew 'auto', concurrent first requests each recover with a single retry", async () => {
    const server = await startSkewedServer(2 * MINUTE);
    const signedFetch = createSignedFetch(signer(), { baseURL: server.origin, clockSkew: 'auto' });

    const responses = await Promise.all([1, 2, 3].map((n) => signedFetch(`/v1/orders/${n}`)));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(server.statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(server.statuses.filter((status) => status === 200)).toHaveLength(3);
  });

  it('the signer is given the server’s time as signingTime, not a clock offset', async () => {
    const server = await startSkewedServer(2 * MINUTE);
    const inner = signer();
    const seen: (number | undefined)[] = [];
    const recording: Signer = { sign: (request: SignableRequest) => (seen.push(request.signingTime), inner.sign(request)) };
    const signedFetch = createSignedFetch(recording, { baseURL: server.origin, clockSkew: 'auto' });

    const before = Date.now();
    expect((await signedFetch('/v1/balance')).status).toBe(200);

    expect(seen[0]).toBeUndefined();
    // The Date header has whole seconds: the learned time is the server's within a second or two.
    expect(Math.abs((seen[1] as number) - (before + 2 * MINUTE))).toBeLessThan(5_000);
  });
});

describe("createSignedFetch clockSkew 'auto' bounds", () => {
  it('a Date header 20 minutes ahead is not believed (maxClockSkewSeconds defaults to 600)', async () => {
    const server = await startSkewedServer(20 * MINUTE);
    const signedFetch = createSignedFetch(signer(), { baseURL: server.origin, clockSkew: 'auto' });

    expect((await signedFetch('/v1/balance')).status).toBe(401);
    expect((await signedFetch('/v1/balance')).status).toBe(401);
    expect(server.statuses).toEqual([401, 401]);
  });

  it('maxClockSkewSeconds: 1800 lets it learn a 20-minute skew', async () => {
    const server = await startSkewedServer(20 * MINUTE);
    const signedFetch = createSignedFetch(signer(), { baseURL: server.origin, clockSkew: 'auto', maxClockSkewSeconds: 1800 });

    expect((await signedFetch('/v1/balance')).status).toBe(200);
    expect(server.statuses).toEqual([401, 200]);
  });

  it('garbage or missing Date headers are ignored: no retry, no offset learned', async () => {
    let index = 0;
    const server = await startSkewedServer(2 * MINUTE, () => (index++ % 2 === 0 ? 'not a date' : undefined));
    const signedFetch = createSignedFetch(signer(), { baseURL: server.origin, clockSkew: 'auto' });

    expect((await signedFetch('/v1/balance')).status).toBe(401);
    expect((await signedFetch('/v1/balance')).status).toBe(401);
    expect(server.statuses).toEqual([401, 401]);
  });

  it.each([[{ clockSkew: 'on' }], [{ clockSkew: 'auto', maxClockSkewSeconds: 0 }], [{ clockSkew: 'auto', maxClockSkewSeconds: 90_000 }], [{ clockSkew: 'auto', maxClockSkewSeconds: 1.5 }]])(
    'refuses %o with ERR_INVALID_OPTION',
    (options) => {
      expect(thrown(() => createSignedFetch(signer(), { baseURL: 'https://api.example.com', ...(options as object) }))).toBeSignetError('ERR_INVALID_OPTION');
    },
  );
});
