import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { type Socket, connect, createServer as createNetServer } from 'node:net';
import axios, { isAxiosError, type AxiosResponse } from 'axios';
import axiosRetry from 'axios-retry';
import jwt from 'jsonwebtoken';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignetError, requestSigner, type SignableRequest, type Signer } from '@signet/core';
import { attachSigner, createSignedAxios } from '../src/index.js';
import { expectSignedForWire, type Received, type RecordingServer, rejection, startServer, testKeys, thrown } from '@signet/test-support';

const apiKey = 'key-behaviour-test';
const keys = testKeys().rsa;
const signer = requestSigner({ apiKey, privateKey: keys.privateKeyPem });
const verify = { publicKey: keys.publicKey, apiKey };

const cleanups: (() => Promise<void> | void)[] = [];

// Importing nock (through the shared support) patches http and fetch; this file talks to real servers only, and
// checks that the real adapters and agents are used, so nock's interception is switched off here.
beforeAll(() => nock.restore());
afterAll(() => nock.activate());

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function serve(respond?: Parameters<typeof startServer>[0]): Promise<RecordingServer> {
  const server = await startServer(respond);
  cleanups.push(() => server.close());
  return server;
}

function only(received: Received[]): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

function tokenOf(received: Received): string {
  return String(received.headers['authorization']).slice('Bearer '.length);
}

/** A clock that moves one second forward every time it is read, from 2023-11-14T22:13:20Z. */
function steppingClock(): { clock: () => number; startSeconds: number } {
  const start = 1_700_000_000_000;
  let now = start;
  return { clock: () => (now += 1000), startSeconds: start / 1000 };
}

/**
 * A TCP relay in front of `target` that holds back the response bytes of its first connection for `delayMs`
 * (the recording server behind it answers at once, so it cannot be slow itself); later connections pass through.
 */
async function startSlowFirstRelay(target: string, delayMs: number): Promise<string> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let connections = 0;
  const relay = createNetServer((client) => {
    const slow = connections++ === 0;
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    if (slow) upstream.on('data', (chunk: Buffer) => setTimeout(() => client.destroyed || client.write(chunk), delayMs));
    else upstream.pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        relay.close(() => resolve());
      }),
  );
  const address = relay.address();
  if (address === null || typeof address === 'string') throw new Error('The relay has no TCP address.');
  return `http://127.0.0.1:${address.port}`;
}

describe('retries with axios-retry', () => {
  it('every attempt after a 503 is signed afresh over the same request line and body bytes', async () => {
    let attempts = 0;
    const server = await serve(() => (++attempts <= 2 ? { status: 503, body: { busy: true } } : {}));
    const { clock, startSeconds } = steppingClock();
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem, clock }), { baseURL: `${server.origin}/v1` });
    axiosRetry(api, { retries: 3, retryCondition: () => true, retryDelay: () => 0 });

    const response = await api.post('/payments', { amount: 100, note: 'café' }, { params: { dryRun: 1, tags: ['a', 'b'] } });

    expect(response.status).toBe(200);
    expect(server.received).toHaveLength(3);
    const iats = server.received.map((received) => {
      expect(received.method).toBe('POST');
      expect(received.url).toBe('/v1/payments?dryRun=1&tags%5B%5D=a&tags%5B%5D=b');
      expect(received.body.toString('utf8')).toBe('{"amount":100,"note":"café"}');
      return expectSignedForWire(received, { ...verify, clockTimestamp: startSeconds + 10 })['iat'];
    });
    expect(iats).toEqual([startSeconds + 1, startSeconds + 2, startSeconds + 3]);
    expect(new Set(server.received.map(tokenOf)).size).toBe(3);
  });

  it('an attempt that timed out is retried with a fresh signature over the same bytes', async () => {
    const server = await serve();
    const origin = await startSlowFirstRelay(server.origin, 1500);
    const { clock, startSeconds } = steppingClock();
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem, clock }), { baseURL: `${origin}/v1`, timeout: 300 });
    const retriedAfter: unknown[] = [];
    axiosRetry(api, {
      retries: 2,
      retryCondition: () => true,
      retryDelay: () => 0,
      shouldResetTimeout: true,
      onRetry: (_count, error) => void retriedAfter.push(error.code),
    });

    const response = await api.put('/orders/9', { qty: 3 }, { params: { v: 'é' } });

    expect(response.status).toBe(200);
    expect(retriedAfter).toEqual(['ECONNABORTED']);
    expect(server.received).toHaveLength(2);
    const iats = server.received.map((received) => {
      expect(received.method).toBe('PUT');
      expect(received.url).toBe('/v1/orders/9?v=%C3%A9');
      expect(received.body.toString('utf8')).toBe('{"qty":3}');
      return expectSignedForWire(received, { ...verify, clockTimestamp: startSeconds + 10 })['iat'];
    });
    expect(iats).toEqual([startSeconds + 1, startSeconds + 2]);
  });
});

describe('concurrency', () => {
  it('200 concurrent requests each carry a token bound to their own request line and body', async () => {
    const server = await serve();
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const requests = Array.from({ length: 200 }, (_, i) => {
      const method = methods[i % methods.length] as string;
      const tag = randomBytes(randomInt(1, 12)).toString('hex');
      const path = `/items/${i}/${randomUUID()}`;
      const body = method === 'GET' ? undefined : { i, id: randomUUID(), blob: randomBytes(randomInt(0, 300)).toString('base64') };
      return { method, path, params: { i, tag }, body, expectedUrl: `/v1${path}?i=${i}&tag=${tag}` };
    });

    await Promise.all(requests.map(({ method, path, params, body }) => api.request({ method, url: path, params, data: body })));

    expect(server.received).toHaveLength(200);
    const byUrl = new Map(server.received.map((received) => [received.url, received]));
    for (const request of requests) {
      const received = byUrl.get(request.expectedUrl);
      expect(received, request.expectedUrl).toBeDefined();
      if (!received) continue;
      expect(received.method).toBe(request.method);
      expect(received.body.toString('utf8')).toBe(request.body === undefined ? '' : JSON.stringify(request.body));
      expectSignedForWire(received, verify);
    }
    expect(new Set(server.received.map(tokenOf)).size).toBe(200);
  });

  it('identical concurrent requests with nonce: true get distinct tokens, each bound to the request', async () => {
    const server = await serve();
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem, nonce: true }), { baseURL: `${server.origin}/v1` });

    await Promise.all(Array.from({ length: 30 }, () => api.post('/same', { same: true }, { params: { q: 1 } })));

    expect(server.received).toHaveLength(30);
    const bodyHash = createHash('sha256').update('{"same":true}').digest('hex');
    const nonces = server.received.map((received) => {
      expect(received.url).toBe('/v1/same?q=1');
      const claims = jwt.verify(tokenOf(received), keys.publicKey, { algorithms: ['RS256'] }) as Record<string, unknown>;
      expect(Object.keys(claims).sort()).toEqual(['bodyHash', 'exp', 'iat', 'nonce', 'sub', 'uri']);
      expect(claims).toMatchObject({ uri: '/v1/same?q=1', bodyHash, sub: apiKey });
      return claims['nonce'];
    });
    expect(new Set(nonces).size).toBe(30);
    expect(new Set(server.received.map(tokenOf)).size).toBe(30);
  });
});

describe('attachSigner on an existing instance', () => {
  it("keeps the instance's own request and response interceptors running and signs its requests", async () => {
    const server = await serve();
    const instance = axios.create({ baseURL: `${server.origin}/v1`, headers: { 'X-Default': 'd' } });
    instance.interceptors.request.use((config) => {
      config.headers.set('X-Trace', 'trace-1');
      return config;
    });
    const seenByResponseInterceptor: number[] = [];
    instance.interceptors.response.use((response: AxiosResponse) => {
      seenByResponseInterceptor.push(response.status);
      return response;
    });
    attachSigner(instance, signer);

    const response = await instance.post('/orders', { qty: 2 }, { params: { dry: true } });

    expect(response.data).toEqual({ ok: true });
    expect(seenByResponseInterceptor).toEqual([200]);
    const received = only(server.received);
    expect(received.url).toBe('/v1/orders?dry=true');
    expect(received.headers['x-trace']).toBe('trace-1');
    expect(received.headers['x-default']).toBe('d');
    expectSignedForWire(received, verify);
  });

  it('the function it returns detaches the signer, and a later attach signs again', async () => {
    const server = await serve();
    const instance = axios.create({ baseURL: `${server.origin}/v1` });
    instance.interceptors.request.use((config) => {
      config.headers.set('X-Trace', 'trace-2');
      return config;
    });
    const detach = attachSigner(instance, signer);
    await instance.get('/before');
    detach();
    await instance.post('/after', { a: 1 });
    await instance.post('/after-with-fetch', { a: 1 }, { adapter: 'fetch' });
    attachSigner(instance, signer);
    await instance.get('/reattached');

    expect(server.received.map((received) => received.url)).toEqual(['/v1/before', '/v1/after', '/v1/after-with-fetch', '/v1/reattached']);
    const [before, after, afterWithFetch, reattached] = server.received as [Received, Received, Received, Received];
    expectSignedForWire(before, verify);
    expect(after.headers['authorization']).toBeUndefined();
    expect(after.headers['x-trace']).toBe('trace-2');
    expect(after.body.toString('utf8')).toBe('{"a":1}');
    expect(afterWithFetch.headers['authorization']).toBeUndefined();
    expectSignedForWire(reattached, verify);
  });

  it('attaching a second signer to the same instance throws ERR_INVALID_OPTION', () => {
    const instance = axios.create({ baseURL: 'http://127.0.0.1:9/v1' });
    attachSigner(instance, signer);

    const error = thrown(() => attachSigner(instance, signer));
    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe('ERR_INVALID_OPTION');
    const signed = createSignedAxios(signer, { baseURL: 'http://127.0.0.1:9/v1' });
    expect((thrown(() => attachSigner(signed, signer)) as SignetError).code).toBe('ERR_INVALID_OPTION');
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['an object whose sign is not a function', { sign: 'yes' }],
    ['a function', async () => ({})],
  ])('attachSigner with %s instead of a Signer throws ERR_INVALID_OPTION', (_name, notASigner) => {
    const error = thrown(() => attachSigner(axios.create(), notASigner as unknown as Signer));
    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe('ERR_INVALID_OPTION');
  });
});

describe('interceptors that change the request', () => {
  it('an interceptor registered after signing changes url, params and data, and the signature covers the changed request', async () => {
    const server = await serve();
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });
    api.interceptors.request.use((config) => {
      config.url = '/rewritten/path';
      config.params = { ...config.params, added: 'yes' };
      config.data = { rewritten: true };
      return config;
    });

    await api.post('/original', { original: true }, { params: { keep: 1 } });

    const received = only(server.received);
    expect(received.url).toBe('/v1/rewritten/path?keep=1&added=yes');
    expect(received.body.toString('utf8')).toBe('{"rewritten":true}');
    expectSignedForWire(received, verify);
  });

  it("an interceptor that runs after the signer's own one changes url, params and data, and the signature covers them", async () => {
    const server = await serve();
    const instance = axios.create({ baseURL: `${server.origin}/v1` });
    // Registered first, so axios runs it after the interceptor attachSigner adds.
    instance.interceptors.request.use(async (config) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      config.url = `${config.url ?? ''}/later`;
      config.params = { page: 2 };
      config.data = 'plain text body';
      config.headers.set('Content-Type', 'text/plain');
      return config;
    });
    attachSigner(instance, signer);

    await instance.patch('/notes/1', { ignored: true }, { params: { page: 1 } });

    const received = only(server.received);
    expect(received.url).toBe('/v1/notes/1/later?page=2');
    expect(received.body.toString('utf8')).toBe('plain text body');
    expectSignedForWire(received, verify);
  });
});

describe('adapters', () => {
  it.each(['http', 'fetch'] as const)('a request that names the %s adapter is signed over what it sends', async (adapter) => {
    const server = await serve();
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });

    const response = await api.post('/via', { adapter }, { adapter, params: { q: 'é ö' } });

    expect(response.data).toEqual({ ok: true });
    const received = only(server.received);
    expect(received.url).toBe('/v1/via?q=%C3%A9+%C3%B6');
    expect(received.body.toString('utf8')).toBe(JSON.stringify({ adapter }));
    expectSignedForWire(received, verify);
  });

  it('an instance whose default adapter is fetch signs its requests', async () => {
    const server = await serve();
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1`, adapter: 'fetch' });

    await api.delete('/things/1', { params: { hard: false } });

    const received = only(server.received);
    expect(received.method).toBe('DELETE');
    expect(received.url).toBe('/v1/things/1?hard=false');
    expectSignedForWire(received, verify);
  });

  it('a custom adapter function given per request is still called, and the request it sends is signed', async () => {
    const server = await serve();
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });
    const calls: string[] = [];
    const http = axios.getAdapter('http');

    await api.get('/custom', {
      params: { a: 1 },
      adapter: (config) => {
        calls.push(String(config.url));
        return http(config);
      },
    });

    expect(calls).toEqual([`${server.origin}/v1/custom?a=1`]);
    expectSignedForWire(only(server.received), verify);
  });

  it("an adapter chosen by an interceptor that runs after the signer's own one still sends a signed request", async () => {
    const server = await serve();
    const instance = axios.create({ baseURL: `${server.origin}/v1` });
    // Registered before attachSigner, so axios runs it after the signer's interceptor has wrapped config.adapter.
    instance.interceptors.request.use((config) => {
      config.adapter = 'fetch';
      return config;
    });
    attachSigner(instance, signer);

    await instance.post('/late-adapter', { a: 1 });

    const received = only(server.received);
    expect(received.url).toBe('/v1/late-adapter');
    expect(received.headers['authorization'], 'Authorization header (the request went out unsigned)').toBeDefined();
    expectSignedForWire(received, verify);
  });

  it('an adapter chosen by a later interceptor is still signed when interceptors run in registration order', async () => {
    const server = await serve();
    // With legacyInterceptorReqResOrdering: false, axios runs request interceptors in the order they were added,
    // so this one, added after attachSigner, would run after a plainly registered signer interceptor.
    const instance = axios.create({ baseURL: `${server.origin}/v1`, transitional: { legacyInterceptorReqResOrdering: false } });
    attachSigner(instance, signer);
    instance.interceptors.request.use((config) => {
      config.adapter = 'fetch';
      return config;
    });

    await instance.post('/late-adapter-ordered', { a: 1 });

    const received = only(server.received);
    expect(received.url).toBe('/v1/late-adapter-ordered');
    expect(received.headers['authorization'], 'Authorization header (the request went out unsigned)').toBeDefined();
    expectSignedForWire(received, verify);
  });
});

describe('error responses and validateStatus', () => {
  it('a 404 rejects with an AxiosError holding the response, and error.config does not expose the token', async () => {
    const server = await serve(() => ({ status: 404, body: { error: 'not found' } }));
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });

    const error = await rejection(api.post('/missing/1', { a: 1 }, { params: { x: 1 } }));

    expect(isAxiosError(error)).toBe(true);
    if (!isAxiosError(error)) return;
    expect(error.response?.status).toBe(404);
    expect(error.response?.data).toEqual({ error: 'not found' });
    const received = only(server.received);
    expect(received.url).toBe('/v1/missing/1?x=1');
    expectSignedForWire(received, verify);
    const token = tokenOf(received);
    expect(error.config?.headers?.['Authorization']).toBeUndefined();
    expect(JSON.stringify(error.config)).not.toContain(token);
    expect(JSON.stringify(error.response?.config)).not.toContain(token);
    expect(JSON.stringify(error.toJSON())).not.toContain(token);
  });

  it('a validateStatus that accepts 404 resolves the response, and response.config does not expose the token', async () => {
    const server = await serve(() => ({ status: 404, body: { error: 'not found' } }));
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });

    const response = await api.get('/missing/2', { validateStatus: (status) => status < 500 });

    expect(response.status).toBe(404);
    const received = only(server.received);
    expectSignedForWire(received, verify);
    expect(JSON.stringify(response.config)).not.toContain(tokenOf(received));
  });

  it('a Signer that fails rejects the request with its error and nothing is sent', async () => {
    const server = await serve();
    const failing: Signer = {
      sign: async () => {
        throw new SignetError('ERR_SIGNING_FAILED', 'The key is not available.');
      },
    };
    const api = createSignedAxios(failing, { baseURL: `${server.origin}/v1` });

    const error = await rejection(api.post('/x', { a: 1 }));

    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe('ERR_SIGNING_FAILED');
    expect(server.received).toHaveLength(0);
  });
});

describe('cancellation', () => {
  it('an AbortController aborted before the request rejects with a CanceledError and nothing is sent', async () => {
    const server = await serve();
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });
    const controller = new AbortController();
    controller.abort();

    const error = await rejection(api.post('/cancelled', { a: 1 }, { signal: controller.signal }));
    await api.get('/afterwards');

    expect(axios.isCancel(error)).toBe(true);
    expect(server.received.map((received) => received.url)).toEqual(['/v1/afterwards']);
  });

  it('an AbortController aborted while the request is in flight rejects with a CanceledError', async () => {
    const controller = new AbortController();
    // Aborted from inside the server, once the request has arrived and before it is answered.
    const server = await serve(() => {
      controller.abort();
      return {};
    });
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });

    const error = await rejection(api.post('/in-flight', { a: 1 }, { signal: controller.signal }));

    expect(axios.isCancel(error)).toBe(true);
    const received = only(server.received);
    expect(received.url).toBe('/v1/in-flight');
    expectSignedForWire(received, verify);
  });
});

describe('agents', () => {
  it('an http.Agent given on the instance or per request is the one that carries the signed request', async () => {
    const server = await serve();
    const instanceAgent = new Agent({ keepAlive: true, maxSockets: 2 });
    const requestAgent = new Agent({ keepAlive: true });
    cleanups.push(
      () => instanceAgent.destroy(),
      () => requestAgent.destroy(),
    );
    // An agent opens each new socket through its own createConnection, with the target host and port.
    const viaInstanceAgent = vi.spyOn(instanceAgent, 'createConnection');
    const viaRequestAgent = vi.spyOn(requestAgent, 'createConnection');
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1`, httpAgent: instanceAgent });
    const target = expect.objectContaining({ host: '127.0.0.1', port: new URL(server.origin).port });

    await api.get('/one');
    expect(viaInstanceAgent).toHaveBeenCalledTimes(1);
    expect(viaInstanceAgent).toHaveBeenCalledWith(target, expect.any(Function));
    await api.post('/two', { b: 2 }, { httpAgent: requestAgent });
    expect(viaRequestAgent).toHaveBeenCalledTimes(1);
    expect(viaRequestAgent).toHaveBeenCalledWith(target, expect.any(Function));
    expect(viaInstanceAgent).toHaveBeenCalledTimes(1);

    expect(server.received.map((received) => received.url)).toEqual(['/v1/one', '/v1/two']);
    for (const received of server.received) expectSignedForWire(received, verify);
  });
});

describe('the Signer interface', () => {
  it("a custom Signer's headers are sent, computed over the method, request line and body bytes that went out", async () => {
    const server = await serve();
    const seen: SignableRequest[] = [];
    const custom: Signer = {
      sign: async (request) => {
        seen.push(request);
        return { 'X-Custom': `${request.method} ${request.url}` };
      },
    };
    const api = createSignedAxios(custom, { baseURL: `${server.origin}/v1` });

    await api.post('/custom/é', { z: 1 }, { params: { q: 'a b' } });

    const received = only(server.received);
    expect(received.url).toBe('/v1/custom/%C3%A9?q=a+b');
    expect(received.headers['x-custom']).toBe('POST /v1/custom/%C3%A9?q=a+b');
    expect(received.headers['x-custom']).toBe(`${received.method} ${received.url}`);
    expect(received.headers['authorization']).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(Buffer.from(seen[0]?.body ?? new Uint8Array()).equals(received.body)).toBe(true);
  });

  it('a custom Signer that sets no Authorization header may be combined with HTTP Basic auth', async () => {
    const server = await serve();
    const custom: Signer = { sign: async (request) => ({ 'X-Custom': `${request.method} ${request.url}` }) };
    const api = createSignedAxios(custom, { baseURL: `${server.origin}/v1` });

    await api.get('/basic', { auth: { username: 'user', password: 'pass' } });

    const received = only(server.received);
    expect(received.headers['authorization']).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
    expect(received.headers['x-custom']).toBe('GET /v1/basic');
  });
});
