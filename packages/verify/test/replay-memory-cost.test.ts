import { afterEach, describe, expect, it } from 'vitest';
import { memoryReplayStore } from '@signet/verify';
import { expectCode, rejection } from './support/rejections.js';

// The cost of a claim, counted rather than timed: every step taken through a Map or Set iterator (what a scan of
// the store is made of) and every Map deletion (what expiring an entry costs). Counting wraps the built-in
// prototypes only for the synchronous span of one `claim` call, which is where the store does all of its work.

const T0 = Date.UTC(2025, 0, 1);

interface Work {
  iterated: number;
  deleted: number;
}

const restores: (() => void)[] = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

function wrap<T extends object>(target: T, key: PropertyKey, make: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): void {
  const original = Reflect.get(target, key) as (...args: unknown[]) => unknown;
  Object.defineProperty(target, key, { value: make(original), configurable: true, writable: true });
  restores.push(() => Object.defineProperty(target, key, { value: original, configurable: true, writable: true }));
}

/** Runs `action` with Map and Set iteration and Map deletion counted. */
function counted<T>(action: () => T): { result: T; work: Work } {
  const work: Work = { iterated: 0, deleted: 0 };
  for (const proto of [Map.prototype, Set.prototype]) {
    for (const key of [Symbol.iterator, 'entries', 'keys', 'values'] as const) {
      wrap(
        proto,
        key,
        (original) =>
          function (this: unknown, ...args: unknown[]) {
            const iterator = original.apply(this, args) as Iterator<unknown>;
            return {
              next: () => {
                work.iterated += 1;
                return iterator.next();
              },
              [Symbol.iterator]() {
                return this;
              },
            };
          },
      );
    }
    wrap(
      proto,
      'forEach',
      (original) =>
        function (this: Map<unknown, unknown>, callback: unknown, ...rest: unknown[]) {
          work.iterated += this.size;
          return original.call(this, callback, ...rest);
        },
    );
  }
  wrap(
    Map.prototype,
    'delete',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        work.deleted += 1;
        return original.apply(this, args);
      },
  );
  try {
    return { result: action(), work };
  } finally {
    for (const restore of restores.splice(0)) restore();
  }
}

describe('memoryReplayStore costs O(1) per claim, whatever it holds', () => {
  it('refuses on a store full of 100,000 live tokens without looking at a single one of them', async () => {
    const store = memoryReplayStore({ maxEntries: 100_000, maxEntriesPerSubject: 100_000, clock: () => T0 });
    // Mixed TTLs, longest first, so that no expiry order can be read from the order of claims.
    for (let i = 0; i < 100_000; i += 1) await store.claim(`id-${i}`, 600 - (i % 500), `tenant-${i % 7}`);
    for (let i = 0; i < 100; i += 1) {
      const { result, work } = counted(() => store.claim(`new-${i}`, 60, 'tenant-0'));
      expectCode(await rejection(result), 'ERR_REPLAY_STORE_FULL');
      expect(work).toEqual({ iterated: 0, deleted: 0 });
    }
  });

  it("refuses a subject at its quota without looking at its tokens or anyone else's", async () => {
    const store = memoryReplayStore({ maxEntries: 100_000, maxEntriesPerSubject: 20_000, clock: () => T0 });
    for (let i = 0; i < 20_000; i += 1) await store.claim(`a-${i}`, 60 + (i % 300), 'tenant-a');
    for (let i = 0; i < 50_000; i += 1) await store.claim(`b-${i}`, 60 + (i % 300), `tenant-b-${i % 10}`);
    const { result, work } = counted(() => store.claim('a-new', 60, 'tenant-a'));
    expectCode(await rejection(result), 'ERR_REPLAY_STORE_FULL');
    expect(work).toEqual({ iterated: 0, deleted: 0 });
  });

  it('expires 50,000 tokens of mixed TTLs a few at a time, each claim removing only what has just expired', async () => {
    let now = T0;
    const store = memoryReplayStore({ maxEntries: 50_000, clock: () => now });
    const ttlOf = (i: number): number => 1 + ((i * 7_919) % 500); // 1..500 s, scattered
    const expiringAt = new Map<number, number>();
    for (let i = 0; i < 50_000; i += 1) {
      expect(await store.claim(`id-${i}`, ttlOf(i))).toBe(true);
      expiringAt.set(ttlOf(i), (expiringAt.get(ttlOf(i)) ?? 0) + 1);
    }
    let largest = 0;
    for (let second = 1; second <= 500; second += 1) {
      now = T0 + second * 1_000;
      const expiring = expiringAt.get(second) ?? 0;
      // A claim with a 1000-second TTL, so that the probes themselves never expire within the test.
      const { result, work } = counted(() => store.claim(`probe-${second}`, 1_000));
      // A slot was freed by what expired this second, and nothing was scanned to find it.
      expect(await result, `second ${second}`).toBe(expiring > 0);
      expect(work.iterated, `second ${second}`).toBe(0);
      // One deletion per expired token, plus at most one for its emptied TTL queue.
      expect(work.deleted, `second ${second}`).toBeGreaterThanOrEqual(expiring);
      expect(work.deleted, `second ${second}`).toBeLessThanOrEqual(expiring + 1);
      largest = Math.max(largest, work.deleted);
      if (expiring > 0) {
        // Exactly the expired tokens' slots were freed: take the rest of them, and the store is full again.
        for (let extra = 1; extra < expiring; extra += 1) expect(await store.claim(`probe-${second}-${extra}`, 1_000)).toBe(true);
        expectCode(await rejection(store.claim(`over-${second}`, 1_000)), 'ERR_REPLAY_STORE_FULL');
      }
    }
    // 50,000 expiries spread over 500 claims: no claim paid for more than its own second's share.
    expect(largest).toBeLessThan(200);
  });
});
