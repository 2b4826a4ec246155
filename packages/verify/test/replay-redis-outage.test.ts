import { inspect } from 'node:util';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisReplayStore } from '@signet/verify';
import { type ClaimOutcome, type RedisServer, outcomeOf, startRedisServer } from './support/redis-server.js';
import { expectCode, rejection } from './support/rejections.js';

type RedisClient = ReturnType<typeof createClient>;

// The default deadline: long enough that a live Redis on a loaded CI machine is never mistaken for a dead one.
const TIMEOUT_MS = 1_000;
/** Far above the deadline: a claim still pending by then hangs, which is the bug these tests look for. */
const GUARD_MS = TIMEOUT_MS + 3_000;
const UNAVAILABLE = 'ERR_REPLAY_STORE_UNAVAILABLE';

const servers: RedisServer[] = [];
const clients: RedisClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) if (client.isOpen) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function server(options: Parameters<typeof startRedisServer>[0] = {}): Promise<RedisServer> {
  const started = await startRedisServer(options);
  servers.push(started);
  return started;
}

/** A client with node-redis's default reconnect strategy and offline queue, as an API instance would hold. */
async function connected(url: string): Promise<RedisClient> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

describe('redisReplayStore when Redis goes down (real redis-server, killed with SIGKILL)', () => {
  it('refuses every claim with ERR_REPLAY_STORE_UNAVAILABLE while Redis is down, accepts none, and works again once it is back', async () => {
    const redis = await server();
    const client = await connected(redis.url);
    const store = redisReplayStore({ client, timeoutMs: TIMEOUT_MS });
    expect(await store.claim('before', 60)).toBe(true);

    // Claims in flight when Redis dies may have been answered already; none may hang, none may surface a raw error.
    const inFlight = Array.from({ length: 20 }, (_, i) => outcomeOf(store.claim(`in-flight-${i}`, 60), GUARD_MS));
    await redis.kill();
    for (const outcome of await Promise.all(inFlight)) expect([true, UNAVAILABLE]).toContain(outcome);

    // While it is down, through node-redis's reconnect attempts: every claim is refused, fresh ids and used ones alike.
    const down: ClaimOutcome[] = [];
    for (let round = 0; round < 10; round += 1) {
      down.push(...(await Promise.all([outcomeOf(store.claim(`down-${round}`, 60), GUARD_MS), outcomeOf(store.claim('before', 60), GUARD_MS)])));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(down).toEqual(Array.from({ length: 20 }, () => UNAVAILABLE));

    // A new redis-server on the same port: node-redis reconnects by itself, and the store answers again.
    await server({ port: redis.port });
    const deadline = Date.now() + 15_000;
    while (!client.isReady && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.isReady).toBe(true);
    expect(await store.claim('after', 60)).toBe(true);
    expect(await store.claim('after', 60)).toBe(false);
    // The restarted server started empty: it forgot 'before', which could now be replayed once (see the README).
    expect(await store.claim('before', 60)).toBe(true);
  });

  it('refuses a claim that Redis does not answer within timeoutMs, and the late reply changes nothing', async () => {
    const redis = await server();
    const client = await connected(redis.url);
    const admin = await connected(redis.url);
    const store = redisReplayStore({ client, timeoutMs: TIMEOUT_MS });
    // CLIENT PAUSE WRITE holds every write for 2.5 s: the SET is queued in Redis and answered OK when the pause ends.
    await admin.sendCommand(['CLIENT', 'PAUSE', '2500', 'WRITE']);
    const claim = store.claim('late', 60);
    const outcomes: boolean[] = [];
    claim.then(
      (fresh) => outcomes.push(fresh),
      () => undefined,
    );
    expect(await outcomeOf(claim, GUARD_MS)).toBe(UNAVAILABLE);

    // Wait until Redis has executed the paused SET: its OK reply reached the client after the claim was refused.
    const deadline = Date.now() + 10_000;
    while ((await admin.exists('signet:replay:late')) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await admin.exists('signet:replay:late')).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcomes).toEqual([]);
    expectCode(await rejection(claim), UNAVAILABLE);
    // Fail closed both ways: the token the late write recorded is now a replay.
    expect(await store.claim('late', 60)).toBe(false);
  });

  // destroy() is synchronous and quit() a promise: typed so that `await close(client)` waits for either.
  it.each<[string, (client: RedisClient) => unknown]>([
    ['destroy()', (client: RedisClient) => client.destroy()],
    ['quit()', (client: RedisClient) => client.quit()],
  ])('refuses with ERR_REPLAY_STORE_UNAVAILABLE on a client closed with %s', async (_, close) => {
    const redis = await server();
    const client = await connected(redis.url);
    const store = redisReplayStore({ client, timeoutMs: TIMEOUT_MS });
    expect(await store.claim('a', 60)).toBe(true);
    await close(client);
    expect(await outcomeOf(store.claim('b', 60), GUARD_MS)).toBe(UNAVAILABLE);
    expect(await outcomeOf(store.claim('a', 60), GUARD_MS)).toBe(UNAVAILABLE);
  });

  it('refuses with ERR_REPLAY_STORE_UNAVAILABLE on a client that was never connected', async () => {
    const redis = await server();
    const client = createClient({ url: redis.url });
    expect(await outcomeOf(redisReplayStore({ client }).claim('a', 60), GUARD_MS)).toBe(UNAVAILABLE);
  });

  it('names neither the Redis address nor its password in the refusal, at any depth', async () => {
    const password = 'hunter2-REDIS-PASSWORD';
    const redis = await server({ password });
    const client = await connected(redis.url);
    const store = redisReplayStore({ client, timeoutMs: TIMEOUT_MS });
    expect(await store.claim('a', 60)).toBe(true);
    const errors: unknown[] = [];
    // Refused three ways: by the deadline (in flight at the kill), while reconnecting, and once closed.
    const inFlight = store.claim('b', 60).catch((error: unknown) => errors.push(error));
    await redis.kill();
    await inFlight;
    errors.push(await rejection(store.claim('c', 60)));
    client.destroy();
    errors.push(await rejection(store.claim('d', 60)));
    for (const error of errors) {
      expectCode(error, UNAVAILABLE);
      expect(error).not.toHaveProperty('cause');
      const shown = `${inspect(error, { depth: Infinity, showHidden: true })} ${JSON.stringify(error)} ${String(error)}`;
      for (const secret of [password, String(redis.port), '127.0.0.1', 'redis://']) expect(shown).not.toContain(secret);
    }
  });
});
