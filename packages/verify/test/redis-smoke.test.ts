import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisReplayStore } from '@signet/verify';
import { type RedisServer, startRedisServer } from './support/redis-server.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => server.stop());

it('a real redis-server accepts an id once', async () => {
  const client = await createClient({ url: server.url }).connect();
  const store = redisReplayStore({ client });
  expect(await store.claim('a', 10)).toBe(true);
  expect(await store.claim('a', 10)).toBe(false);
  expect(await client.ttl('signet:replay:a')).toBeGreaterThan(0);
  await client.quit();
});
