import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { redisReplayStore, requestVerifier } from '@signet/verify';
import type { RedisReplayStoreOptions, VerifiableRequest, Verifier } from '@signet/verify';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { expectRejectedWith } from './support/rejections.js';
import { testKeys } from '@signet/test-support';

type RedisClient = ReturnType<typeof createClient>;

const T0 = Date.UTC(2025, 0, 1);
const atT0 = (): number => T0;
const { privateKey, publicKey } = testKeys().rsa;
const URL_PATH = '/v1/payments';
const BODY = new TextEncoder().encode('{"amount":1000}');

let server: RedisServer;
/** The test's own view of the server, separate from the clients the verifiers use. */
let inspector: RedisClient;
const clients: RedisClient[] = [];

/** A node-redis client of its own, as each API instance would hold; quit after the file. */
async function connectedClient(url = server.url): Promise<RedisClient> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startRedisServer();
  inspector = await connectedClient();
});

afterAll(async () => {
  await Promise.all(clients.filter((client) => client.isOpen).map((client) => client.quit()));
  await server?.stop();
});

beforeEach(async () => {
  await inspector.flushAll();
});

async function signed(clock: () => number = atT0, apiKey = 'api-key-1'): Promise<VerifiableRequest> {
  const headers = await requestSigner({ apiKey, privateKey, clock, nonce: true }).sign({ method: 'POST', url: URL_PATH, body: BODY });
  return { method: 'POST', url: URL_PATH, headers, body: BODY };
}

function verifierOn(client: RedisClient, options: Partial<RedisReplayStoreOptions> = {}): Verifier {
  return requestVerifier({ publicKey, clock: atT0, clockToleranceSeconds: 5, replay: redisReplayStore({ client, ...options }) });
}

/** A client shape that passes the `set` check, for the option tests that must fail on something else. */
const ANY_CLIENT = { set: async (): Promise<string> => 'OK' };

async function keysMatching(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of inspector.scanIterator({ MATCH: pattern, COUNT: 100 })) keys.push(...batch);
  return keys.sort();
}

describe('redisReplayStore on a real redis-server', () => {
  it("writes one key under signet:replay: that lives for the token's lifetime plus tolerance", async () => {
    const verifier = verifierOn(await connectedClient());
    const request = await signed();
    const claims = await verifier.verify(request);
    expect(claims['exp']).toBe(T0 / 1000 + 55);

    const keys = await keysMatching('*');
    expect(keys).toHaveLength(1);
    const [key] = keys as [string];
    expect(key.startsWith('signet:replay:')).toBe(true);
    // exp = now + 55, tolerance 5: the key must outlive the token, and not by more than that.
    const ttl = await inspector.ttl(key);
    expect(ttl).toBeGreaterThanOrEqual(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('gives a token issued within the tolerance window only the time it has left', async () => {
    // The verifier's clock is 50 s past iat: the token is valid for 10 more seconds, counting the tolerance.
    const client = await connectedClient();
    const verifier = requestVerifier({ publicKey, clock: () => T0 + 50_000, replay: redisReplayStore({ client }) });
    await verifier.verify(await signed());
    const [key] = (await keysMatching('signet:replay:*')) as [string];
    const ttl = await inspector.ttl(key);
    expect(ttl).toBeGreaterThanOrEqual(1);
    expect(ttl).toBeLessThanOrEqual(10);
  });

  it('writes its keys under a custom prefix and nowhere else', async () => {
    const verifier = verifierOn(await connectedClient(), { prefix: 'shop-api:replay:' });
    await verifier.verify(await signed());
    await verifier.verify(await signed(() => T0 + 1_000));
    expect(await keysMatching('shop-api:replay:*')).toHaveLength(2);
    expect(await keysMatching('signet:*')).toEqual([]);
    expect(await inspector.dbSize()).toBe(2);
  });

  it('keeps verifiers with different prefixes apart', async () => {
    const client = await connectedClient();
    const request = await signed();
    await verifierOn(client, { prefix: 'tenant-a:' }).verify(request);
    await expect(verifierOn(client, { prefix: 'tenant-b:' }).verify(request)).resolves.toBeDefined();
    await expectRejectedWith(verifierOn(client, { prefix: 'tenant-a:' }).verify(request), 'ERR_TOKEN_REPLAYED');
  });

  it('refuses on instance B a token that instance A accepted, each with its own client', async () => {
    const instanceA = verifierOn(await connectedClient());
    const instanceB = verifierOn(await connectedClient());
    const request = await signed();
    await expect(instanceA.verify(request)).resolves.toMatchObject({ sub: 'api-key-1' });
    await expectRejectedWith(instanceB.verify(request), 'ERR_TOKEN_REPLAYED');
    await expectRejectedWith(instanceA.verify(request), 'ERR_TOKEN_REPLAYED');
    // A token instance B sees first is equally refused by instance A.
    const next = await signed(() => T0 + 1_000);
    await instanceB.verify(next);
    await expectRejectedWith(instanceA.verify(next), 'ERR_TOKEN_REPLAYED');
  });

  it('accepts exactly one of 50 concurrent copies of a token spread over two instances', async () => {
    const instanceA = verifierOn(await connectedClient());
    const instanceB = verifierOn(await connectedClient());
    const request = await signed();
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? instanceA : instanceB).verify(request)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const codes = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as SignetError).code] : []));
    expect(codes).toEqual(Array.from({ length: 49 }, () => 'ERR_TOKEN_REPLAYED'));
    expect(await keysMatching('signet:replay:*')).toHaveLength(1);
  });

  it('accepts each of 50 distinct tokens once across two instances', async () => {
    const instanceA = verifierOn(await connectedClient());
    const instanceB = verifierOn(await connectedClient());
    const requests = await Promise.all(Array.from({ length: 50 }, (_, i) => signed(atT0, `api-key-${i}`)));
    const first = await Promise.allSettled(requests.map((request, i) => (i % 2 === 0 ? instanceA : instanceB).verify(request)));
    expect(first.every((result) => result.status === 'fulfilled')).toBe(true);
    const again = await Promise.allSettled(requests.map((request, i) => (i % 2 === 0 ? instanceB : instanceA).verify(request)));
    expect(again.every((result) => result.status === 'rejected' && (result.reason as SignetError).code === 'ERR_TOKEN_REPLAYED')).toBe(true);
  });

  it.each([
    ['no options', undefined],
    ['no client', {}],
    ['a null client', { client: null }],
    ['a client without set', { client: { get: async () => null } }],
    ['a client whose set is not a function', { client: { set: 'OK' } }],
    ['a timeoutMs of 0', { client: ANY_CLIENT, timeoutMs: 0 }],
    ['a timeoutMs of 1.5', { client: ANY_CLIENT, timeoutMs: 1.5 }],
    ["a timeoutMs past setTimeout's limit", { client: ANY_CLIENT, timeoutMs: 2 ** 31 }],
    ['a prefix that is not a string', { client: ANY_CLIENT, prefix: 7 }],
    ['an option it does not know', { client: ANY_CLIENT, timeout: 500 }],
  ])('refuses %s with ERR_INVALID_OPTION', (_, options) => {
    let caught: unknown;
    try {
      redisReplayStore(options as unknown as RedisReplayStoreOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SignetError);
    expect((caught as SignetError).code).toBe('ERR_INVALID_OPTION');
  });

  it('refuses the request, never accepts it unchecked, when the Redis server goes away', async () => {
    const doomed = await startRedisServer();
    try {
      const client = await connectedClient(doomed.url);
      const verifier = verifierOn(client);
      await expect(verifier.verify(await signed())).resolves.toBeDefined();

      await doomed.stop();
      const outcome = await Promise.race([
        verifier.verify(await signed(() => T0 + 1_000)).then(
          () => 'accepted',
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still pending after 5 s'), 5_000)),
      ]);
      expect(outcome).toBeInstanceOf(SignetError);
      expect((outcome as SignetError).code).toBe('ERR_REPLAY_STORE_UNAVAILABLE');
    } finally {
      await doomed.stop();
    }
  });
});
