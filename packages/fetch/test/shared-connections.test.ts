import { afterEach, describe, expect, it } from 'vitest';
import { createSignedFetch } from '@signet/fetch';
import { CREDENTIAL_HEADERS, type HoldingServer, reachableLeaks, renderedLeaks, schemesFor, startHoldingServer } from '@signet/test-support';
import { rejection } from './support/wires.js';

// One failing (or one successful) request while ten others of the same signed fetch are in flight on the
// platform's pooled keep-alive connections: nothing reachable from the rejection or the Response may show a
// credential of any of them, through undici's internals or an error's cause chain.

const IN_FLIGHT = 10;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const schemes = schemesFor('fetch-shared-connections').filter((scheme) => !scheme.name.startsWith('jwtSigner'));

type SignedFetch = ReturnType<typeof createSignedFetch>;

interface Scenario {
  signedFetch: SignedFetch;
  server: HoldingServer;
  inFlight: Promise<unknown>[];
}

async function scenario(scheme: (typeof schemes)[number]): Promise<Scenario> {
  const server = await startHoldingServer();
  const signedFetch = createSignedFetch(scheme.signer, { baseURL: server.origin });
  const inFlight = Array.from({ length: IN_FLIGHT }, (_, index) => signedFetch(`/hold?n=${index}`, { method: 'POST', body: { n: index } }).then((response) => response.text()));
  cleanups.push(async () => {
    server.release();
    await Promise.allSettled(inFlight);
    await server.close();
  });
  await server.arrived(IN_FLIGHT);
  return { signedFetch, server, inFlight };
}

async function expectNothingReachable(s: Scenario, outcome: unknown, arrivals: number): Promise<void> {
  s.inFlight.push(s.signedFetch('/hold?later=1').then((response) => response.text()));
  await s.server.arrived(arrivals + 1);
  const credentials = s.server.credentials();
  expect(s.server.requests).toHaveLength(arrivals + 1);
  for (const { headers } of s.server.requests) expect(CREDENTIAL_HEADERS.filter((name) => headers[name] !== undefined).length).toBeGreaterThan(0);
  expect(credentials.length).toBeGreaterThan(0);
  expect(reachableLeaks(outcome, credentials)).toEqual([]);
  expect(renderedLeaks(outcome, credentials)).toEqual([]);
}

describe.each(schemes)('$name', (scheme) => {
  it('a 500 Response reaches no credential of any request, in flight or later', async () => {
    const s = await scenario(scheme);

    const response = await s.signedFetch('/fail', { method: 'POST', body: { amount: 100 } });

    expect(response.status).toBe(500);
    // The walk does reach undici's internals where they sit under symbols (Node 20, 22: the response's own header
    // list); Node 24's undici keeps them in private fields, which no code outside the class can reach at all.
    if (Object.getOwnPropertySymbols(response).length > 0) {
      expect(reachableLeaks(response, [{ name: 'its own content-type', value: 'application/json' }])).not.toEqual([]);
    }
    await expectNothingReachable(s, response, IN_FLIGHT + 1);
    expect(await response.json()).toEqual({ error: 'internal' });
  });

  it('the rejection for a reset connection reaches no credential of any request, through its causes either', async () => {
    const s = await scenario(scheme);

    const error = await rejection(s.signedFetch('/drop'));

    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toBeInstanceOf(Error);
    await expectNothingReachable(s, error, IN_FLIGHT + 1);
  });

  it('a successful Response reaches no credential of any request, in flight or later', async () => {
    const s = await scenario(scheme);

    const response = await s.signedFetch('/ok', { method: 'POST', body: { amount: 100 } });

    expect(response.status).toBe(200);
    await expectNothingReachable(s, response, IN_FLIGHT + 1);
    expect(await response.json()).toEqual({ ok: true });
  });
});
