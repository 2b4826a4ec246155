import { SignetError } from '@signet/core';

/**
 * Remembers which tokens were accepted. `claim` records `id` for `ttlSeconds` and resolves `true` if it was not
 * already there (the token is fresh), `false` if it was (a replay). It must be atomic across every API instance
 * that shares the store.
 */
export interface ReplayStore {
  claim(id: string, ttlSeconds: number): Promise<boolean>;
}

/** Options of {@link memoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** The most live tokens remembered; when full of live tokens, new requests are refused (fail closed). @default 100000 */
  maxEntries?: number;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number;
}

/**
 * An in-process replay store with a bounded size, for one API instance. For several instances, use
 * {@link redisReplayStore}. When it holds `maxEntries` live tokens, it refuses new ones with
 * `ERR_REPLAY_STORE_FULL` rather than forget one that could then be replayed.
 *
 * @example
 * ```ts
 * const verifier = requestVerifier({ publicKey, replay: memoryReplayStore({ maxEntries: 50_000 }) });
 * ```
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const { maxEntries = 100_000, clock = Date.now } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
    throw new SignetError('ERR_INVALID_OPTION', 'maxEntries must be a positive whole number.');
  }
  // Insertion order is expiry order when TTLs are alike; a sweep stops at the first live entry.
  const expiries = new Map<string, number>();
  const sweep = (now: number): void => {
    for (const [id, expiresAt] of expiries) {
      if (expiresAt > now) break;
      expiries.delete(id);
    }
  };
  return {
    claim(id, ttlSeconds) {
      const now = clock();
      const seen = expiries.get(id);
      if (seen !== undefined && seen > now) return Promise.resolve(false);
      sweep(now);
      if (expiries.size >= maxEntries) {
        // TTLs differ in length: expired entries may hide behind live ones; a full scan is rare and bounded.
        for (const [key, expiresAt] of expiries) if (expiresAt <= now) expiries.delete(key);
        if (expiries.size >= maxEntries) {
          return Promise.reject(new SignetError('ERR_REPLAY_STORE_FULL', 'The replay store is full of live tokens; the request is refused.'));
        }
      }
      expiries.delete(id);
      expiries.set(id, now + ttlSeconds * 1000);
      return Promise.resolve(true);
    },
  };
}

/** The part of a Redis client that {@link redisReplayStore} uses: node-redis's `set` with `{ NX, EX }`. */
export interface RedisSetClient {
  set(key: string, value: string, options: { NX: true; EX: number }): Promise<string | null | undefined | unknown>;
}

/** Options of {@link redisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** A connected node-redis client (`createClient()` from the `redis` package). */
  client: RedisSetClient;
  /** Prefix of the keys written. @default 'signet:replay:' */
  prefix?: string;
}

/**
 * A replay store shared by every API instance, on Redis: one atomic `SET key 1 NX EX ttl` per accepted token.
 *
 * @example
 * ```ts
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const verifier = requestVerifier({ publicKey, replay: redisReplayStore({ client: redis }) });
 * ```
 */
export function redisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const { client, prefix = 'signet:replay:' } = options ?? ({} as RedisReplayStoreOptions);
  if (typeof client?.set !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', 'redisReplayStore needs a connected node-redis client.');
  }
  return {
    async claim(id, ttlSeconds) {
      const reply = await client.set(prefix + id, '1', { NX: true, EX: Math.max(1, Math.ceil(ttlSeconds)) });
      return reply === 'OK';
    },
  };
}
