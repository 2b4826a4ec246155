import { SignetError } from '@signet/core';
import { readOptions } from '@signet/internal';
import { ExpirySchedule } from './replay-expiry.js';

/**
 * Remembers which tokens were accepted. `claim` records `id` for `ttlSeconds` and resolves `true` if it was not
 * already there (the token is fresh), `false` if it was (a replay). It must be atomic across every API instance
 * that shares the store, and fail closed: when it cannot answer, it rejects (never resolves `true`).
 *
 * `scope` is the subject the token speaks for (its `sub`: the API key or client key). A store may use it to share
 * its room fairly between subjects ({@link memoryReplayStore} does); `id` alone identifies the token. Stores written
 * before `scope` existed ignore it, which is why it is optional.
 */
export interface ReplayStore {
  claim(id: string, ttlSeconds: number, scope?: string): Promise<boolean>;
}

/** Options of {@link memoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** The most live tokens remembered; when full of live tokens, new requests are refused (fail closed). @default 100000 */
  maxEntries?: number;
  /**
   * The most live tokens remembered for one `scope` (subject), so that one busy or hostile API key cannot fill the
   * store and lock every other key out. A subject at its quota is refused (fail closed); others go on. Claims
   * without a scope count against `maxEntries` only.
   * @default a tenth of maxEntries (10000 with the default maxEntries), at least 1
   */
  maxEntriesPerSubject?: number;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number;
}

const MEMORY_OPTIONS = ['maxEntries', 'maxEntriesPerSubject', 'clock'] as const;

/**
 * An in-process replay store with a bounded size, for one API instance. For several instances, use
 * {@link redisReplayStore}. When it holds `maxEntries` live tokens, or the token's subject holds
 * `maxEntriesPerSubject`, it refuses new ones with `ERR_REPLAY_STORE_FULL` rather than forget one that could then be
 * replayed. Every claim costs O(1) amortized: expired tokens are dropped a few at a time as their time comes, never
 * by scanning the store, so a full store refuses as cheaply as it accepts.
 *
 * TTLs are rounded up to whole seconds (as Redis's `EX` is), and a clock that goes back is taken as standing still:
 * both only ever remember a token longer.
 *
 * @example
 * ```ts
 * const verifier = requestVerifier({ publicKey, replay: memoryReplayStore({ maxEntries: 50_000, maxEntriesPerSubject: 5_000 }) });
 * ```
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const read = readOptions<MemoryReplayStoreOptions>(options, 'memoryReplayStore', MEMORY_OPTIONS);
  const maxEntries = positiveWhole(read.maxEntries ?? 100_000, 'maxEntries');
  const perSubject = positiveWhole(read.maxEntriesPerSubject ?? Math.max(1, Math.floor(maxEntries / 10)), 'maxEntriesPerSubject');
  const clock = read.clock ?? Date.now;
  if (typeof clock !== 'function') throw new SignetError('ERR_INVALID_OPTION', 'clock must be a function returning milliseconds since the epoch.');

  const expiries = new Map<string, { expiresAt: number; scope: string | undefined }>();
  const perScope = new Map<string, number>();
  const schedule = new ExpirySchedule();
  let last = -Infinity;
  const forget = (id: string): void => {
    const scope = expiries.get(id)?.scope;
    expiries.delete(id);
    if (scope === undefined) return;
    const left = (perScope.get(scope) ?? 1) - 1;
    if (left === 0) perScope.delete(scope);
    else perScope.set(scope, left);
  };

  return {
    claim(id, ttlSeconds, scope) {
      if (!Number.isFinite(ttlSeconds)) return Promise.reject(badTtl());
      last = Math.max(last, clock());
      const now = last;
      schedule.expire(now, forget);
      // Everything left is live: expire removed all that was not.
      if (expiries.has(id)) return Promise.resolve(false);
      if (expiries.size >= maxEntries) return Promise.reject(full('The replay store is full of live tokens; the request is refused.'));
      const subject = typeof scope === 'string' ? scope : undefined;
      const held = subject === undefined ? 0 : (perScope.get(subject) ?? 0);
      if (held >= perSubject) {
        return Promise.reject(full('This API key already has maxEntriesPerSubject live tokens in the replay store; the request is refused.'));
      }
      const ttlMs = Math.max(1, Math.ceil(ttlSeconds)) * 1000;
      expiries.set(id, { expiresAt: now + ttlMs, scope: subject });
      if (subject !== undefined) perScope.set(subject, held + 1);
      schedule.add(id, ttlMs, now + ttlMs);
      return Promise.resolve(true);
    },
  };
}

function positiveWhole(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new SignetError('ERR_INVALID_OPTION', `${name} must be a positive whole number.`);
  }
  return value as number;
}

function full(message: string): SignetError {
  return new SignetError('ERR_REPLAY_STORE_FULL', message);
}

function badTtl(): SignetError {
  return new SignetError('ERR_INVALID_OPTION', 'A replay claim needs a finite ttlSeconds.');
}

/**
 * The part of a Redis client that {@link redisReplayStore} uses: node-redis's `set` with `{ NX, EX }`, as on a
 * `createClient()` or a `createCluster()` client, and its `isOpen`/`isReady` flags when it has them.
 */
export interface RedisSetClient {
  set(key: string, value: string, options: { NX: true; EX: number }): Promise<unknown>;
  /** node-redis: `false` before `connect()` and after `quit()`/`destroy()`. */
  readonly isOpen?: boolean;
  /** node-redis (single client): `false` while the connection is down and being re-established. */
  readonly isReady?: boolean;
}

/** Options of {@link redisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** A connected node-redis client: `createClient()` or `createCluster()` from the `redis` package. */
  client: RedisSetClient;
  /** Prefix of the keys written. @default 'signet:replay:' */
  prefix?: string;
  /**
   * How long one claim may wait for Redis, in milliseconds. Past it the claim rejects with
   * `ERR_REPLAY_STORE_UNAVAILABLE` and the request is refused; a reply that comes later changes nothing.
   * @default 1000
   */
  timeoutMs?: number;
}

const REDIS_OPTIONS = ['client', 'prefix', 'timeoutMs'] as const;
/** setTimeout's own limit; a longer delay would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A replay store shared by every API instance, on Redis (a single server or a Redis Cluster): one atomic
 * `SET key 1 NX EX ttl` per accepted token.
 *
 * It fails closed: a claim on a client that is closed or reconnecting, one that Redis answers with an error, and one
 * that gets no answer within `timeoutMs` all reject with `ERR_REPLAY_STORE_UNAVAILABLE`.
 * The error carries no Redis error, address or password. A claim is never queued to wait for a reconnect.
 *
 * @example
 * ```ts
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const verifier = requestVerifier({ publicKey, replay: redisReplayStore({ client: redis, timeoutMs: 500 }) });
 * ```
 */
export function redisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  const read = readOptions<RedisReplayStoreOptions>(options, 'redisReplayStore', REDIS_OPTIONS, 'a connected node-redis client');
  const { client, prefix = 'signet:replay:', timeoutMs = 1000 } = read;
  if (typeof client?.set !== 'function') {
    throw new SignetError('ERR_INVALID_OPTION', 'redisReplayStore needs a connected node-redis client: { client: await createClient({ url }).connect() }.');
  }
  if (typeof prefix !== 'string') throw new SignetError('ERR_INVALID_OPTION', "prefix must be a string, such as 'signet:replay:'.");
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new SignetError('ERR_INVALID_OPTION', 'timeoutMs must be a whole number of milliseconds above 0, such as 1000.');
  }
  return {
    claim(id, ttlSeconds) {
      if (!Number.isFinite(ttlSeconds)) return Promise.reject(badTtl());
      // A closed client throws; a reconnecting one would queue the SET until Redis is back, holding the request.
      if (client.isOpen === false || client.isReady === false) return Promise.reject(unavailable('is not connected'));
      return withDeadline(() => client.set(prefix + id, '1', { NX: true, EX: Math.max(1, Math.ceil(ttlSeconds)) }), timeoutMs).then((reply) => reply === 'OK');
    },
  };
}

/**
 * Settles with `start()`'s result, or rejects once `timeoutMs` has passed. A promise settles only once, so a reply
 * after the deadline cannot turn the refusal into an acceptance. Redis's own errors are dropped, not wrapped: they
 * can name the server's address.
 */
function withDeadline<T>(start: () => Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(unavailable(`did not answer within ${timeoutMs} ms`)), timeoutMs);
    const settle = (): void => clearTimeout(timer);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(start());
    } catch {
      settle();
      reject(unavailable('refused the command'));
      return;
    }
    pending.then(
      (value) => {
        settle();
        resolve(value);
      },
      () => {
        settle();
        reject(unavailable('answered with an error'));
      },
    );
  });
}

function unavailable(what: string): SignetError {
  return new SignetError('ERR_REPLAY_STORE_UNAVAILABLE', `The replay store (Redis) ${what}; the request is refused. Check that Redis is up and reachable.`);
}
