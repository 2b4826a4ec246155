import crypto, { type KeyObject } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { Agent, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import axios, { type AxiosInstance, type CreateAxiosDefaults, type InternalAxiosRequestConfig } from 'axios';
import { createSignedAxios } from '@signet/axios';
import { type OffloadMode, requestSigner } from '@signet/core';
import { rs256Async, rs256Sync } from './floors.js';
import { answerSmallJson } from './sink.js';
import { alternate, durationMs, latencyRun, smoke } from './measure.js';

// The default signing path under load: axios POSTs of a 1 KiB JSON body to a node:http server in this same process
// (so the client, the signatures and the server share the event loop and the two cores, as a busy service does),
// with Signet's default offload beside `offload: 'always'` and beside plain axios whose interceptor signs the same
// claims with bare crypto.sign, synchronously or asynchronously.

/**
 * What one run of one client gave: requests per second, the median latency, the share of signatures on the pool,
 * and the process's CPU time (all threads) per request, which other processes on the machine disturb far less
 * than wall-clock throughput.
 */
export interface LoadFigures {
  rps: number;
  p50: number;
  onPool: number;
  cpuMsPerRequest: number;
}

type Client = () => Promise<unknown>;
type SignFloor = (key: KeyObject, url: string, body: Uint8Array) => string | Promise<string>;

const json = { order: 'bench', note: 'x'.repeat(985) };
const path = '/orders';
const params = { channel: 'web' };

/** A loopback server in this process that reads each body and answers a small JSON. */
async function startServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer(answerSmallJson);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Plain axios with a request interceptor that signs the body and path + query as they will be sent. */
function interceptorClient(config: CreateAxiosDefaults, key: KeyObject, signFloor: SignFloor): AxiosInstance {
  const instance = axios.create(config);
  instance.interceptors.request.use(async (request: InternalAxiosRequestConfig) => {
    const body = JSON.stringify(request.data);
    const sent = new URL(instance.getUri(request));
    const uri = sent.pathname + sent.search;
    request.data = body;
    request.headers.set('Content-Type', 'application/json');
    request.headers.set('Authorization', `Bearer ${await signFloor(key, uri, Buffer.from(body))}`);
    return request;
  });
  return instance;
}

/** The clients, by name; each call sends one request. */
function clients(port: number, key: KeyObject): Record<string, Client> {
  const config = (): CreateAxiosDefaults & { baseURL: string } => ({ baseURL: `http://127.0.0.1:${port}/v1`, httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) });
  const signet = (offload?: OffloadMode): AxiosInstance => createSignedAxios(requestSigner({ apiKey: 'bench-api-key', privateKey: key, ...(offload ? { offload } : {}) }), config());
  const instances: Record<string, AxiosInstance> = {
    plain: axios.create(config()),
    default: signet(),
    always: signet('always'),
    syncInterceptor: interceptorClient(config(), key, rs256Sync),
    asyncInterceptor: interceptorClient(config(), key, rs256Async),
  };
  return Object.fromEntries(Object.entries(instances).map(([name, instance]) => [name, () => instance.post(path, json, { params })]));
}

/**
 * Counts crypto.sign calls by path (a callback means libuv's thread pool), for every client alike: which path the
 * default took is a fact that no noise on the machine blurs. Rebinds the built-in's ESM named export, which the
 * built packages import, until `restore`.
 */
function countSignPaths(): { take: () => number; restore: () => void } {
  const real = crypto.sign;
  let pool = 0;
  let all = 0;
  crypto.sign = ((...args: Parameters<typeof real>) => {
    all += 1;
    if (typeof args[3] === 'function') pool += 1;
    return real(...args);
  }) as typeof real;
  syncBuiltinESMExports();
  return {
    take: () => {
      const share = pool / all;
      pool = all = 0;
      return share;
    },
    restore: () => {
      crypto.sign = real;
      syncBuiltinESMExports();
    },
  };
}

/**
 * Runs the named clients `inFlight` deep in alternating rounds (each round in its own order) and returns every
 * round's figures, by client. Many short rounds (41 of 100 ms) rather than a few long ones: on a shared 2-core machine the CPU
 * left to this process changes from second to second, and a ratio of two runs close in time is what survives it.
 */
async function rounds(all: Record<string, Client>, names: string[], inFlight: number): Promise<Array<Record<string, LoadFigures>>> {
  const paths = countSignPaths();
  const run = async (client: Client): Promise<LoadFigures> => {
    paths.take();
    const { rps, p50, cpuMs } = await latencyRun(client, inFlight, durationMs / 10);
    return { rps, p50, onPool: paths.take(), cpuMsPerRequest: cpuMs };
  };
  try {
    return await alternate(Object.fromEntries(names.map((name) => [name, () => run(all[name] as Client)])), smoke ? 1 : 41);
  } finally {
    paths.restore();
  }
}

/** Every round's figures at 32 in flight and at 1 in flight, against one in-process server. */
export async function underLoad(key: KeyObject): Promise<{ busy: Array<Record<string, LoadFigures>>; alone: Array<Record<string, LoadFigures>> }> {
  const server = await startServer();
  try {
    const all = clients(server.port, key);
    const busy = await rounds(all, ['plain', 'default', 'always', 'asyncInterceptor'], 32);
    const alone = await rounds(all, ['plain', 'default', 'always', 'syncInterceptor'], 1);
    return { busy, alone };
  } finally {
    await server.close();
  }
}
