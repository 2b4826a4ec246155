import { createClient, createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignetError, requestSigner } from '@signet/core';
import { redisReplayStore, requestVerifier } from '@signet/verify';
import type { VerifiableRequest, Verifier } from '@signet/verify';
import { type RedisCluster, outcomeOf, startRedisCluster } from './support/redis-server.js';
import { testKeys } from '@signet/test-support';

// A fleet of API instances shares one Redis Cluster: each instance holds its own createCluster() client, and the
// keys of different tokens live on different masters.

type ClusterClient = ReturnType<typeof createCluster>;

const T0 = Date.UTC(2025, 0, 1);
const { privateKey, publicKey } = testKeys().rsa;
// The default deadline: long enough that a live Redis on a loaded CI machine is never mistaken for a dead one.
const TIMEOUT_MS = 1_000;
const GUARD_MS = TIMEOUT_MS + 3_000;
const UNAVAILABLE = 'ERR_REPLAY_STORE_UNAVAILABLE';

let cluster: RedisCluster;
const clients: ClusterClient[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  for (const client of clients) if (client.isOpen) client.destroy();
  await cluster?.stop();
});

async function clusterClient(of: RedisCluster = cluster): Promise<ClusterClient> {
  const client = createCluster({ rootNodes: of.rootNodes });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

function verifierOn(client: ClusterClient): Verifier {
  return requestVerifier({ publicKey, clock: () => T0, replay: redisReplayStore({ client, timeoutMs: TIMEOUT_MS }) });
}

async function signed(apiKey = 'api-key-1'): Promise<VerifiableRequest> {
  const url = '/v1/payments';
  const body = new TextEncoder().encode('{"amount":1000}');
  const headers = await requestSigner({ apiKey, privateKey, clock: () => T0, nonce: true }).sign({ method: 'POST', url, body });
  return { method: 'POST', url, headers, body };
}

/** The port of the master that holds `key`, asked of Redis itself (CLUSTER KEYSLOT, then the slot map). */
async function ownerOf(client: ClusterClient, key: string): Promise<number> {
  const slot = await client.sendCommand<number>(key, true, ['CLUSTER', 'KEYSLOT', key]);
  return (client.slots[slot] as { master: { port: number } }).master.port;
}

describe('redisReplayStore on a real 3-master Redis Cluster', () => {
  it('accepts exactly one of 50 concurrent copies of a token spread over two instances', async () => {
    const instanceA = verifierOn(await clusterClient());
    const instanceB = verifierOn(await clusterClient());
    const request = await signed();
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? instanceA : instanceB).verify(request)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const codes = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as SignetError).code] : []));
    expect(codes).toEqual(Array.from({ length: 49 }, () => 'ERR_TOKEN_REPLAYED'));
  });

  it('accepts each of 300 distinct ids once across two instances, with keys on every master', async () => {
    const storeA = redisReplayStore({ client: await clusterClient(), prefix: 'spread:', timeoutMs: TIMEOUT_MS });
    const storeB = redisReplayStore({ client: await clusterClient(), prefix: 'spread:', timeoutMs: TIMEOUT_MS });
    const ids = Array.from({ length: 300 }, (_, i) => `token-${i}`);
    expect(await Promise.all(ids.map((id, i) => (i % 2 === 0 ? storeA : storeB).claim(id, 60)))).toEqual(ids.map(() => true));
    expect(await Promise.all(ids.map((id, i) => (i % 2 === 0 ? storeB : storeA).claim(id, 60)))).toEqual(ids.map(() => false));
    // What each master holds, asked of each master directly.
    for (const node of cluster.nodes) {
      const direct = createClient({ url: node.url, socket: { reconnectStrategy: false } });
      direct.on('error', () => undefined);
      await direct.connect();
      try {
        const held: string[] = [];
        for await (const batch of direct.scanIterator({ MATCH: 'spread:*', COUNT: 100 })) held.push(...batch);
        expect(held.length).toBeGreaterThan(0);
        for (const key of held.slice(0, 5)) expect(await direct.ttl(key)).toBeGreaterThan(50);
      } finally {
        direct.destroy();
      }
    }
  });

  it('refuses with ERR_REPLAY_STORE_UNAVAILABLE on a destroyed cluster client', async () => {
    const client = await clusterClient();
    const store = redisReplayStore({ client, timeoutMs: TIMEOUT_MS });
    expect(await store.claim('closed-a', 60)).toBe(true);
    client.destroy();
    expect(await outcomeOf(store.claim('closed-b', 60), GUARD_MS)).toBe(UNAVAILABLE);
  });

  it('refuses, and never accepts, a token whose master was killed; the other masters answer or refuse, never hang', async () => {
    const own = await startRedisCluster();
    try {
      const client = await clusterClient(own);
      const store = redisReplayStore({ client, timeoutMs: TIMEOUT_MS });
      const ids = Array.from({ length: 60 }, (_, i) => `kill-${i}`);
      const owners = await Promise.all(ids.map((id) => ownerOf(client, `signet:replay:${id}`)));
      const victim = own.nodes[0] as (typeof own.nodes)[number];
      expect(owners).toContain(victim.port);
      expect(owners.some((port) => port !== victim.port)).toBe(true);

      await victim.kill();
      const outcomes = await Promise.all(ids.map((id) => outcomeOf(store.claim(id, 60), GUARD_MS)));
      outcomes.forEach((outcome, i) => {
        if (owners[i] === victim.port) expect(outcome, ids[i]).toBe(UNAVAILABLE);
        else expect([true, UNAVAILABLE], ids[i]).toContain(outcome);
      });
      // Asked again while the master stays down (and the cluster notices it): still refused, still no hang.
      const orphans = ids.filter((_, i) => owners[i] === victim.port);
      const again = await Promise.all(orphans.map((id) => outcomeOf(store.claim(id, 60), GUARD_MS)));
      expect(again).toEqual(orphans.map(() => UNAVAILABLE));
    } finally {
      await own.stop();
    }
  });
});
