import { Buffer } from 'node:buffer';
import { Agent } from 'node:http';
import type { Readable } from 'node:stream';
import axios, { type AxiosAdapter, AxiosError, type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignedAxios } from '@signet/axios';
import { CREDENTIAL_HEADERS, type HoldingServer, reachableLeaks, rejection, renderedLeaks, schemesFor, startHoldingServer } from '@signet/test-support';

// One failing (or one successful) request while ten others of the same instance are in flight: with a keep-alive
// agent the others share its sockets, and a live request object reaches all of them through its socket and agent.
// Whatever the agent, nothing reachable from the error or the response may show a credential of any request.

const IN_FLIGHT = 10;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const agents: { name: string; httpAgent: () => Agent | undefined }[] = [
  { name: "Node's default global agent", httpAgent: () => undefined },
  { name: 'a keep-alive http.Agent', httpAgent: () => new Agent({ keepAlive: true }) },
  { name: 'an http.Agent with keepAlive: false', httpAgent: () => new Agent({ keepAlive: false }) },
];

const schemes = schemesFor('shared-agents').filter((scheme) => !scheme.name.startsWith('jwtSigner'));

interface Scenario {
  api: AxiosInstance;
  server: HoldingServer;
  /** Ten requests on `api`, all arrived at the server and held open there. */
  inFlight: Promise<unknown>[];
}

/** A user's adapter around axios's own that wraps its errors, as caching and mocking adapters do: the cause is axios's error. */
const wrappingAdapter: AxiosAdapter = async (config) => {
  try {
    return await axios.getAdapter('http')(config);
  } catch (error) {
    throw AxiosError.from(error, 'EWRAPPED', config);
  }
};

async function scenario(scheme: (typeof schemes)[number], agent: (typeof agents)[number], adapter?: AxiosAdapter): Promise<Scenario> {
  const server = await startHoldingServer();
  const httpAgent = agent.httpAgent();
  const api = createSignedAxios(scheme.signer, { baseURL: server.origin, ...(httpAgent === undefined ? {} : { httpAgent }), ...(adapter === undefined ? {} : { adapter }) });
  const inFlight = Array.from({ length: IN_FLIGHT }, (_, index) => api.post(`/hold?n=${index}`, { n: index }));
  cleanups.push(async () => {
    server.release();
    await Promise.allSettled(inFlight);
    httpAgent?.destroy();
    await server.close();
  });
  await server.arrived(IN_FLIGHT);
  return { api, server, inFlight };
}

/** Every way `outcome` could leak, checked while the other requests (and one sent after it) are still open. */
async function expectNothingReachable(s: Scenario, outcome: unknown, arrivals: number): Promise<void> {
  // A request sent after the outcome, on the same instance (and, with keep-alive, possibly a socket it used).
  s.inFlight.push(s.api.get('/hold?later=1'));
  await s.server.arrived(arrivals + 1);
  const credentials = s.server.credentials();
  // Every request (the failing one too) really went out signed.
  expect(s.server.requests).toHaveLength(arrivals + 1);
  for (const { headers } of s.server.requests) expect(CREDENTIAL_HEADERS.filter((name) => headers[name] !== undefined).length).toBeGreaterThan(0);
  expect(credentials.length).toBeGreaterThan(0);
  expect(reachableLeaks(outcome, credentials)).toEqual([]);
  expect(renderedLeaks(outcome, credentials)).toEqual([]);
}

describe.each(agents)('with $name', (agent) => {
  describe.each(schemes)('$name', (scheme) => {
    it('an error from a 500 reaches no credential of any request, in flight or later', async () => {
      const s = await scenario(scheme, agent);

      const error = await rejection(s.api.post('/fail', { amount: 100 }));

      expect(isAxiosError(error) && error.response?.status).toBe(500);
      await expectNothingReachable(s, error, IN_FLIGHT + 1);
    });

    it('an error from a reset connection reaches no credential of any request, through its cause either', async () => {
      const s = await scenario(scheme, agent);

      const error = await rejection(s.api.get('/drop'));

      expect(isAxiosError(error) && error.code).toBe('ECONNRESET');
      expect((error as Error).cause).toBeInstanceOf(Error);
      await expectNothingReachable(s, error, IN_FLIGHT + 1);
    });

    it('an error a user adapter wrapped around axios’s own reaches no credential of any request through its cause', async () => {
      const s = await scenario(scheme, agent, wrappingAdapter);

      const error = await rejection(s.api.post('/fail', { amount: 100 }));

      expect(isAxiosError(error) && error.code).toBe('EWRAPPED');
      // What a log needs of the cause is kept: its message, code and status.
      expect((error as Error).cause).toMatchObject({ message: 'Request failed with status code 500', code: 'ERR_BAD_RESPONSE', status: 500 });
      await expectNothingReachable(s, error, IN_FLIGHT + 1);
    });

    it('a request cancelled before it is sent rejects with an error that reaches no credential of any request', async () => {
      const s = await scenario(scheme, agent);
      const controller = new AbortController();
      controller.abort();

      const error = await rejection(s.api.post('/ok', { amount: 100 }, { signal: controller.signal }));

      expect(isAxiosError(error) && error.code).toBe('ERR_CANCELED');
      // Nothing was sent for it: the one sent after it is the eleventh request.
      await expectNothingReachable(s, error, IN_FLIGHT);
    });

    it('a streamed response reaches no credential of any request, and still streams its body', async () => {
      const s = await scenario(scheme, agent);

      const response: AxiosResponse<Readable> = await s.api.get('/ok', { responseType: 'stream' });

      expect(response.status).toBe(200);
      await expectNothingReachable(s, response, IN_FLIGHT + 1);
      expect(Buffer.concat(await response.data.toArray()).toString()).toBe('{"ok":true}');
    });

    it('a successful response reaches no credential of any request, in flight or later', async () => {
      const s = await scenario(scheme, agent);

      const response: AxiosResponse = await s.api.post('/ok', { amount: 100 });

      expect(response.status).toBe(200);
      await expectNothingReachable(s, response, IN_FLIGHT + 1);
    });
  });
});

describe('the reachability walk these tests rely on', () => {
  it('finds a credential under a symbol, a non-enumerable key, a getter, a Map, a Set, a Buffer, and a live agent', () => {
    const needle = { name: 'planted', value: 'planted-credential-0123456789' };
    const places: Record<string, unknown> = {
      symbol: { [Symbol('hidden')]: { deep: [needle.value] } },
      'non-enumerable': Object.defineProperty({}, 'secret', { value: needle.value, enumerable: false }),
      getter: Object.defineProperty({}, 'secret', { get: () => needle.value, enumerable: false }),
      map: new Map([['k', { v: needle.value }]]),
      set: new Set([{ v: needle.value }]),
      buffer: { raw: Buffer.from(`Authorization: ${needle.value}`) },
    };
    for (const [where, root] of Object.entries(places)) expect(reachableLeaks(root, [needle]), where).toHaveLength(1);
    const agent = new Agent();
    expect(reachableLeaks({ nested: { agent } }, [needle])).toEqual(['root.nested.agent is a live http.Agent']);
    agent.destroy();
  });
});
