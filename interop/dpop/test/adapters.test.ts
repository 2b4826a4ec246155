import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddedJWK, type JWTPayload, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { dpopSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { binaryCases, stringCases } from '@signet/test-support';

// DPoP through both adapters against real node:http servers that check each proof with jose and the key embedded
// in it: htm is the request line's method, htu the server's origin + the path it received.

interface Arrival {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  proof: JWTPayload;
}

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

interface DpopServer {
  origin: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

const servers: DpopServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server that verifies each proof with jose and answers `answer(arrival, index)`; a proof that fails is a 400. */
async function startDpopServer(answer: (arrival: Arrival, index: number) => Answer = () => ({ status: 200 })): Promise<DpopServer> {
  const arrivals: Arrival[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        let reply: Answer;
        try {
          const { payload } = await jwtVerify(String(req.headers['dpop']), EmbeddedJWK, { typ: 'dpop+jwt' });
          const path = (req.url ?? '').split('?', 1)[0];
          if (payload['htm'] !== req.method || payload['htu'] !== origin + path) throw new Error(`htm/htu ${String(payload['htm'])} ${String(payload['htu'])}`);
          const arrival = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), proof: payload };
          arrivals.push(arrival);
          reply = answer(arrival, arrivals.length - 1);
        } catch (error) {
          reply = { status: 400, body: { error: 'bad proof', detail: String(error) } };
        }
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.body ?? { ok: true }));
      })();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = {
    origin,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(started);
  return started;
}

const USE_NONCE_401 = (nonce: string): Answer => ({
  status: 401,
  headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"', 'dpop-nonce': nonce },
  body: { error: 'use_dpop_nonce' },
});

/** Answers like RFC 9449 §9: a proof without the current nonce gets 401 use_dpop_nonce with it. */
const requireNonce =
  (nonce: string) =>
  (arrival: Arrival): Answer =>
    arrival.proof['nonce'] === nonce ? { status: 200 } : USE_NONCE_401(nonce);

const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

/** The two adapters, each as `get(origins, url, init)` resolving to the status the caller sees. */
const adapters = [
  {
    name: 'axios',
    client(origins: string[], signer = dpopSigner({ privateKey, accessToken: 'access-token-1' })) {
      const api = createSignedAxios(signer, { baseURL: origins[0] as string }, { allowedOrigins: origins });
      return async (url: string, method = 'GET', data?: unknown): Promise<{ status: number; body: unknown }> => {
        const response = await api.request({ url, method, data, validateStatus: () => true });
        return { status: response.status, body: response.data };
      };
    },
  },
  {
    name: 'fetch',
    client(origins: string[], signer = dpopSigner({ privateKey, accessToken: 'access-token-1' })) {
      const signedFetch = createSignedFetch(signer, { baseURL: origins[0] as string, allowedOrigins: origins });
      return async (url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: unknown }> => {
        const response = await signedFetch(url, { method, ...(body === undefined ? {} : { body: body as never }) });
        return { status: response.status, body: await response.json() };
      };
    },
  },
];

describe.each(adapters)('server nonces through $name', ({ client }) => {
  it('retries once with the nonce of a 401 use_dpop_nonce, and sends it on the next request without a retry', async () => {
    const server = await startDpopServer(requireNonce('nonce-A'));
    const request = client([server.origin]);
    expect((await request('/resource?page=1')).status).toBe(200);
    expect(server.arrivals.map((arrival) => arrival.proof['nonce'])).toEqual([undefined, 'nonce-A']);
    // The resent proof is a new proof: another jti.
    expect(server.arrivals[0]?.proof['jti']).not.toBe(server.arrivals[1]?.proof['jti']);
    expect((await request('/resource?page=2')).status).toBe(200);
    expect(server.arrivals.map((arrival) => arrival.proof['nonce'])).toEqual([undefined, 'nonce-A', 'nonce-A']);
  });

  it('never retries more than once, however often the server asks', async () => {
    let count = 0;
    const server = await startDpopServer(() => USE_NONCE_401(`nonce-${++count}`));
    const response = await client([server.origin])('/resource');
    expect(response.status).toBe(401);
    expect(server.arrivals.map((arrival) => arrival.proof['nonce'])).toEqual([undefined, 'nonce-1']);
  });

  it('retries a 400 {"error":"use_dpop_nonce"} from a token endpoint (RFC 9449 §8), and the caller still reads the final body', async () => {
    const server = await startDpopServer((arrival) =>
      arrival.proof['nonce'] === 'as-nonce'
        ? { status: 200, body: { access_token: 'x', token_type: 'DPoP' } }
        : { status: 400, headers: { 'dpop-nonce': 'as-nonce' }, body: { error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' } },
    );
    const response = await client([server.origin], dpopSigner({ privateKey }))('/token', 'POST', 'grant_type=authorization_code&code=abc');
    expect(response).toEqual({ status: 200, body: { access_token: 'x', token_type: 'DPoP' } });
    expect(server.arrivals.map((arrival) => [arrival.proof['nonce'], arrival.body.toString()])).toEqual([
      [undefined, 'grant_type=authorization_code&code=abc'],
      ['as-nonce', 'grant_type=authorization_code&code=abc'],
    ]);
    expect(server.arrivals[1]?.headers['authorization']).toBeUndefined();
  });

  it('does not retry a 401 or 400 that is not use_dpop_nonce, even with a DPoP-Nonce header', async () => {
    const server = await startDpopServer((_, index) =>
      index === 0 ? { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': 'n1' } } : { status: 400, headers: { 'dpop-nonce': 'n2' }, body: { error: 'invalid_grant' } },
    );
    const request = client([server.origin]);
    expect((await request('/a')).status).toBe(401);
    expect((await request('/b')).status).toBe(400);
    // Each answer still taught the nonce: the second request carried the first's.
    expect(server.arrivals.map((arrival) => arrival.proof['nonce'])).toEqual([undefined, 'n1']);
  });

  it('learns a new nonce from any response carrying DPoP-Nonce, and keeps nonces per origin', async () => {
    const a = await startDpopServer(() => ({ status: 200, headers: { 'dpop-nonce': 'nonce-of-a' } }));
    const b = await startDpopServer();
    const request = client([a.origin, b.origin]);
    await request('/one');
    await request(`${b.origin}/two`);
    await request('/three');
    expect(a.arrivals.map((arrival) => arrival.proof['nonce'])).toEqual([undefined, 'nonce-of-a']);
    expect(b.arrivals.map((arrival) => arrival.proof['nonce'])).toEqual([undefined]);
  });
});

const urlCases = ['/plain', '/a/b/c?x=1&y=2&x=3', '/enc%20oded/%E6%9D%B1%E4%BA%AC?q=%C3%A9&empty=', '/v1/things:batchGet', '/trailing/?'];

describe.each(adapters)('every body and URL shape through $name: htm and htu as the server received them', ({ client }) => {
  it('every URL shape', async () => {
    const server = await startDpopServer();
    const request = client([server.origin]);
    for (const url of urlCases) expect((await request(url, 'DELETE')).status, url).toBe(200);
    // The server checked htu against the path it received; the path + query arrived as written.
    expect(server.arrivals.map((arrival) => [arrival.proof['htm'], arrival.url.replace(/\?$/, '')])).toEqual(urlCases.map((url) => ['DELETE', url.replace(/\?$/, '')]));
  });

  it('every body shape, with the bytes arriving as given', async () => {
    const server = await startDpopServer();
    const request = client([server.origin]);
    const cases = [...stringCases.map((c) => ({ title: c.title, body: () => c.body, bytes: Buffer.from(c.body) })), ...binaryCases];
    for (const { title, body, bytes } of cases) {
      expect((await request('/upload?kind=x', 'PUT', body())).status, title).toBe(200);
      expect(server.arrivals.at(-1)?.body.equals(bytes), title).toBe(true);
      expect(server.arrivals.at(-1)?.proof['htu'], title).toBe(`${server.origin}/upload`);
    }
  });
});
