import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance, isAxiosError, isCancel } from 'axios';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignetError, jwtSigner, type Signer } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { rejection } from '@signet/test-support';

// An aborted or timed-out request must settle (once), leave nothing running behind it (sockets, timers, a stream
// still being read) and never surface as an unhandled rejection or an uncaught exception.

const unhandled: unknown[] = [];
const onUnhandledRejection = (reason: unknown): void => void unhandled.push(reason);
const onUncaughtException = (error: unknown): void => void unhandled.push(error);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandledRejection);
  process.on('uncaughtException', onUncaughtException);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandledRejection);
  process.off('uncaughtException', onUncaughtException);
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface HangingServer {
  origin: string;
  /** Requests whose headers arrived. */
  arrived: number;
  /** Resolves when the next request has arrived. */
  nextArrival(): Promise<void>;
  /** Connections the server still holds open. */
  openConnections(): number;
}

/** `/ok` answers 200 at once; every other path is read and never answered. */
async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  let waiters: (() => void)[] = [];
  const state = { arrived: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.arrived += 1;
    const arrived = waiters;
    waiters = [];
    for (const resolve of arrived) resolve();
    req.resume();
    if (req.url === '/ok') req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    // A hanging request's connection is dropped as soon as the client closes its side.
    else req.socket.once('end', () => req.socket.destroy());
  });
  // Idle keep-alive connections (fetch's pool keeps its own) are closed by the server at once.
  server.keepAliveTimeout = 1;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
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
    get arrived() {
      return state.arrived;
    },
    nextArrival: () => new Promise<void>((resolve) => waiters.push(resolve)),
    openConnections: () => sockets.size,
  };
}

/** Counts the signatures made, so a request refused before signing is seen to be. */
function countingSigner(): { signer: Signer; calls: () => number } {
  const inner = jwtSigner({ algorithm: 'HS256', key: 'cancel-test-secret-0123456789abcdef', claims: { sub: 'svc' } });
  let calls = 0;
  return {
    signer: {
      sign(request) {
        calls += 1;
        return inner.sign(request);
      },
    },
    calls: () => calls,
  };
}

type ResourceCounts = Record<string, number>;

function activeResources(): ResourceCounts {
  const counts: ResourceCounts = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** Waits a few turns of the event loop, and until the server has seen every connection close (at most 2 s). */
async function settle(server?: HangingServer): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  const deadline = Date.now() + 2000;
  while (server !== undefined && server.openConnections() > 0 && Date.now() < deadline) await sleep(5);
  await sleep(20);
}

interface Setup {
  server: HangingServer;
  api: AxiosInstance;
  calls: () => number;
  agent: Agent;
  before: ResourceCounts;
}

async function setup(adapter: 'http' | 'fetch' = 'http'): Promise<Setup> {
  const server = await startHangingServer();
  const agent = new Agent({ keepAlive: true });
  cleanups.push(() => agent.destroy());
  const { signer, calls } = countingSigner();
  const api = createSignedAxios(signer, { baseURL: server.origin, adapter, ...(adapter === 'http' ? { httpAgent: agent } : {}) });
  // Warm up: the first request loads lazy modules and, for fetch, undici's dispatcher; its connection is then closed.
  await api.get('/ok');
  agent.destroy();
  await settle(adapter === 'http' ? server : undefined);
  unhandled.length = 0;
  return { server, api, calls, agent, before: activeResources() };
}

/**
 * After the request settled: nothing unhandled, no timer left behind and, once the agent is closed, no socket.
 * undici's pool (the fetch adapter) owns its connections and drops them on its own keep-alive timer, so with fetch
 * only the timers are compared.
 */
async function expectNothingLeft({ server, agent, before }: Setup, sockets: 'agent' | 'undici' = 'agent'): Promise<void> {
  const watched = sockets === 'agent' ? server : undefined;
  await settle(watched);
  agent.destroy();
  await settle(watched);
  expect(unhandled).toEqual([]);
  const after = activeResources();
  if (sockets === 'agent') {
    expect(server.openConnections()).toBe(0);
    expect(after['TCPSocketWrap'] ?? 0, 'TCP sockets').toBeLessThanOrEqual(before['TCPSocketWrap'] ?? 0);
  }
  expect(after['Timeout'] ?? 0, 'timers').toBeLessThanOrEqual((before['Timeout'] ?? 0) + 1);
}

/** The promise's outcome, or 'still pending' when it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still pending'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'still pending'>((resolve) => (timer = setTimeout(() => resolve('still pending'), ms)));
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Node stream body that yields one chunk and then stalls: it never ends. */
function stalledNodeStream(): Readable {
  const stream = new Readable({ read() {} });
  stream.push('{"partial":');
  return stream;
}

describe('cancellation with an AbortController (http adapter)', () => {
  it('a signal aborted before the request is sent rejects with CanceledError; nothing is signed or sent', async () => {
    const s = await setup();
    const controller = new AbortController();
    controller.abort();

    const error = await rejection(s.api.post('/hang', { amount: 1 }, { signal: controller.signal }));

    expect(isCancel(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('ERR_CANCELED');
    const arrivedBefore = s.server.arrived;
    await expectNothingLeft(s);
    expect(s.server.arrived).toBe(arrivedBefore);
    expect(s.calls()).toBe(1); // the warm-up request only
  });

  it('an abort while a stream body is being buffered rejects, destroys the stream, and sends nothing', async () => {
    const s = await setup();
    const arrivedBefore = s.server.arrived;
    const controller = new AbortController();
    const body = stalledNodeStream();

    const pending = rejection(s.api.post('/hang', body, { signal: controller.signal, headers: { 'Content-Type': 'application/json' } }));
    await sleep(30);
    expect(body.readableFlowing).toBe(true); // it is being read
    controller.abort();
    const error = await pending;

    // The adapter refuses with a SignetError; axios, seeing the signal aborted, reports the cancellation.
    expect(isCancel(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('ERR_CANCELED');
    expect(body.destroyed).toBe(true);
    await expectNothingLeft(s);
    expect(s.server.arrived).toBe(arrivedBefore);
    expect(s.calls()).toBe(1);
  });

  it('an AbortSignal.timeout while a stream body is being buffered rejects and destroys the stream', async () => {
    const s = await setup();
    const body = stalledNodeStream();

    const error = await within(rejection(s.api.put('/hang', body, { signal: AbortSignal.timeout(80) })), 3000);

    expect(error).not.toBe('still pending');
    expect(isCancel(error) || error instanceof SignetError).toBe(true);
    expect(body.destroyed).toBe(true);
    await expectNothingLeft(s);
  });

  it('an abort while a web ReadableStream body is waiting for its next chunk rejects promptly and cancels the stream', async () => {
    const s = await setup();
    const arrivedBefore = s.server.arrived;
    const controller = new AbortController();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(new TextEncoder().encode('{"partial":'));
      },
      cancel() {
        cancelled = true;
      },
    });

    const pending = rejection(s.api.post('/hang', body, { signal: controller.signal }));
    await sleep(30);
    controller.abort();
    const error = await within(pending, 1000);

    expect(error).not.toBe('still pending');
    expect(isCancel(error) || error instanceof SignetError).toBe(true);
    expect(cancelled).toBe(true);
    await expectNothingLeft(s);
    expect(s.server.arrived).toBe(arrivedBefore);
  });

  it('an abort while the request is in flight rejects with CanceledError and closes the connection', async () => {
    const s = await setup();
    const arrivedBefore = s.server.arrived;
    const controller = new AbortController();
    const arrival = s.server.nextArrival();

    const pending = rejection(s.api.post('/hang', { amount: 1 }, { signal: controller.signal }));
    await arrival;
    controller.abort();
    const error = await pending;

    expect(isCancel(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('ERR_CANCELED');
    expect(s.server.arrived).toBe(arrivedBefore + 1);
    expect(s.calls()).toBe(2);
    await expectNothingLeft(s);
  });

  it('aborting many requests in flight at once, then aborting again, never surfaces an unhandled rejection', async () => {
    const s = await setup();
    const arrivedBefore = s.server.arrived;
    const controller = new AbortController();

    const pending = Array.from({ length: 10 }, (_, i) => rejection(s.api.get(`/hang/${i}`, { signal: controller.signal })));
    while (s.server.arrived < arrivedBefore + 10) await sleep(5);
    controller.abort();
    const errors = await Promise.all(pending);
    controller.abort();

    expect(errors.map((error) => isCancel(error))).toEqual(Array.from({ length: 10 }, () => true));
    await expectNothingLeft(s);
  });
});

describe('timeouts (http adapter)', () => {
  it.each([
    { name: 'by default', transitional: undefined, code: 'ECONNABORTED' },
    { name: 'with clarifyTimeoutError', transitional: { clarifyTimeoutError: true }, code: 'ETIMEDOUT' },
  ])('a timeout that fires rejects with $code ($name) and leaves no socket or timer', async ({ transitional, code }) => {
    const s = await setup();
    const arrivedBefore = s.server.arrived;
    const started = Date.now();

    const error = await rejection(s.api.get('/hang', { timeout: 100, ...(transitional === undefined ? {} : { transitional }) }));

    expect(isAxiosError(error)).toBe(true);
    expect((error as { code?: string }).code).toBe(code);
    expect((error as Error).message).toBe('timeout of 100ms exceeded');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(s.server.arrived).toBe(arrivedBefore + 1);
    await expectNothingLeft(s);
  });

  it('a timeout also bounds a stream body that stalls while it is being buffered', async () => {
    // Plain axios times out a stalled upload (the socket goes idle); buffering it to hash it must not hang instead.
    const s = await setup();
    const arrivedBefore = s.server.arrived;
    const body = stalledNodeStream();

    const error = await within(rejection(s.api.post('/hang', body, { timeout: 100 })), 1500);

    expect(error).not.toBe('still pending');
    expect(isAxiosError(error) || error instanceof SignetError).toBe(true);
    expect(body.destroyed).toBe(true);
    expect(s.server.arrived).toBe(arrivedBefore);
    await expectNothingLeft(s);
  });
});

describe('the fetch adapter', () => {
  it('an abort in flight rejects with CanceledError, once, and nothing is left unhandled', async () => {
    const s = await setup('fetch');
    const controller = new AbortController();
    const arrival = s.server.nextArrival();

    const pending = rejection(s.api.post('/hang', { amount: 1 }, { signal: controller.signal }));
    await arrival;
    controller.abort();
    const error = await pending;

    expect(isCancel(error)).toBe(true);
    await expectNothingLeft(s, 'undici');
  });

  it('a timeout rejects with an AxiosError and nothing is left unhandled', async () => {
    const s = await setup('fetch');

    const error = await rejection(s.api.get('/hang', { timeout: 100 }));

    expect(isAxiosError(error)).toBe(true);
    expect(['ECONNABORTED', 'ETIMEDOUT']).toContain((error as { code?: string }).code);
    await expectNothingLeft(s, 'undici');
  });
});

describe('a signed instance next to a plain one', () => {
  it('cancels exactly like plain axios does (same error class and code)', async () => {
    const s = await setup();
    const plain = axios.create({ baseURL: s.server.origin, httpAgent: s.agent });
    const abortedSignal = (): AbortSignal => {
      const controller = new AbortController();
      controller.abort();
      return controller.signal;
    };

    const [signed, unsigned] = await Promise.all([rejection(s.api.get('/hang', { signal: abortedSignal() })), rejection(plain.get('/hang', { signal: abortedSignal() }))]);

    expect(Object.getPrototypeOf(signed)).toBe(Object.getPrototypeOf(unsigned));
    expect((signed as { code?: string }).code).toBe((unsigned as { code?: string }).code);
    await expectNothingLeft(s);
  });
});
