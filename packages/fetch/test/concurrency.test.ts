import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSignedFetch } from '@signet/fetch';
import { type Echo, type Wire, sha256, signer, wireKinds } from './support/wires.js';

const COUNT = 100;

describe.each(wireKinds)('concurrent signed requests received by $name', (kind) => {
  let wire: Wire;

  beforeEach(async () => {
    wire = await kind.start();
  });

  afterEach(async () => {
    await wire.stop();
  });

  it(`verifies ${COUNT} concurrent POSTs with distinct bodies and paths, none crossing another`, async () => {
    const signedFetch = createSignedFetch(signer, { baseURL: `${wire.origin}/v1` });
    const requests = Array.from({ length: COUNT }, (_, i) => ({
      path: `/v1/items/${i}?n=${i}`,
      body: { i, nonce: randomBytes(8).toString('hex'), pad: 'x'.repeat(i * 37) },
    }));

    const responses = await Promise.all(requests.map(({ body }, i) => signedFetch(`/items/${i}?n=${i}`, { method: 'POST', body })));
    const echoes = await Promise.all(responses.map(async (response) => ({ status: response.status, echo: (await response.json()) as Echo })));

    // Each answer is the server's view of its own request: the path and the bytes that request carried.
    echoes.forEach(({ status, echo }, i) => {
      const request = requests[i] as (typeof requests)[number];
      expect(status).toBe(200);
      expect(echo.url).toBe(request.path);
      expect(echo.sha256).toBe(sha256(JSON.stringify(request.body)));
      if (echo.uri !== undefined) expect(echo.uri).toBe(request.path);
    });
    expect(wire.hits()).toBe(COUNT);
    // Every arrival was signed for exactly its own request line and body (arrivals() verifies each).
    const arrivals = wire.arrivals();
    expect(arrivals).toHaveLength(COUNT);
    for (const arrival of arrivals) {
      const { i } = JSON.parse(arrival.body.toString('utf8')) as { i: number };
      expect(arrival.url).toBe(`/v1/items/${i}?n=${i}`);
      expect(arrival.claims['uri']).toBe(arrival.url);
      expect(arrival.claims['bodyHash']).toBe(sha256(arrival.body));
    }
    expect(new Set(arrivals.map((arrival) => arrival.headers['authorization'])).size).toBe(COUNT);
  });
});
