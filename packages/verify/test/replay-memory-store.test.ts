import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SignetError } from '@signet/core';
import { memoryReplayStore } from '@signet/verify';
import { expectCode, rejection, thrown } from './support/rejections.js';

const T0 = Date.UTC(2025, 0, 1);

/** A clock the test moves by hand. */
function manualClock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

describe('memoryReplayStore', () => {
  it('accepts an id once and calls the second claim a replay', async () => {
    const store = memoryReplayStore();
    expect(await store.claim('token-a', 60)).toBe(true);
    expect(await store.claim('token-a', 60)).toBe(false);
    expect(await store.claim('token-b', 60)).toBe(true);
  });

  it('remembers an id for exactly its TTL and accepts it again afterwards', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ clock: clock.now });
    expect(await store.claim('token-a', 60)).toBe(true);
    clock.advance(59_999);
    expect(await store.claim('token-a', 60)).toBe(false);
    clock.advance(1);
    expect(await store.claim('token-a', 60)).toBe(true);
    expect(await store.claim('token-a', 60)).toBe(false);
  });

  it('refuses a new id with ERR_REPLAY_STORE_FULL when full of live ids, rather than forget one', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ maxEntries: 3, clock: clock.now });
    for (const id of ['a', 'b', 'c']) expect(await store.claim(id, 10)).toBe(true);
    expectCode(await rejection(store.claim('d', 10)), 'ERR_REPLAY_STORE_FULL');
    // Nothing was forgotten to make room: every live id is still a replay.
    for (const id of ['a', 'b', 'c']) expect(await store.claim(id, 10)).toBe(false);
    expectCode(await rejection(store.claim('d', 10)), 'ERR_REPLAY_STORE_FULL');
  });

  it('accepts new ids again once the live ones have expired', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ maxEntries: 3, clock: clock.now });
    for (const id of ['a', 'b', 'c']) expect(await store.claim(id, 10)).toBe(true);
    clock.advance(10_000);
    for (const id of ['d', 'e', 'f']) expect(await store.claim(id, 10)).toBe(true);
    expectCode(await rejection(store.claim('g', 10)), 'ERR_REPLAY_STORE_FULL');
  });

  it('reclaims expired ids hidden behind a longer-lived one when full', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ maxEntries: 3, clock: clock.now });
    expect(await store.claim('long', 100)).toBe(true);
    expect(await store.claim('short-1', 1)).toBe(true);
    expect(await store.claim('short-2', 1)).toBe(true);
    clock.advance(1_000);
    expect(await store.claim('x', 1)).toBe(true);
    expect(await store.claim('y', 1)).toBe(true);
    expect(await store.claim('long', 100)).toBe(false);
    expectCode(await rejection(store.claim('z', 1)), 'ERR_REPLAY_STORE_FULL');
  });

  it('sweeps expired ids so that 10,000 short-lived claims never fill a small store', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ maxEntries: 20, clock: clock.now });
    for (let i = 0; i < 10_000; i += 1) {
      // 10 claims per second of 1-second TTLs: at most 10 are live at any time.
      expect(await store.claim(`id-${i}`, 1)).toBe(true);
      clock.advance(100);
    }
    // The sweep forgot only what expired: the last live ids are still replays.
    expect(await store.claim('id-9999', 1)).toBe(false);
    expect(await store.claim('id-9991', 1)).toBe(false);
  });

  it('holds maxEntries live ids and no more, even with maxEntries 1', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ maxEntries: 1, clock: clock.now });
    expect(await store.claim('a', 5)).toBe(true);
    expectCode(await rejection(store.claim('b', 5)), 'ERR_REPLAY_STORE_FULL');
    expect(await store.claim('a', 5)).toBe(false);
    clock.advance(5_000);
    expect(await store.claim('b', 5)).toBe(true);
  });

  it('treats a clock that goes back as standing still, so no token is forgotten early', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ clock: clock.now });
    expect(await store.claim('a', 10)).toBe(true);
    clock.advance(9_000);
    expect(await store.claim('b', 10)).toBe(true);
    clock.advance(-60_000);
    expect(await store.claim('a', 10)).toBe(false);
    clock.advance(61_000); // 1 s past the latest time seen: 'a' is gone, 'b' is not.
    expect(await store.claim('a', 10)).toBe(true);
    expect(await store.claim('b', 10)).toBe(false);
  });

  it('rounds a fractional TTL up to whole seconds, never down', async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ clock: clock.now });
    expect(await store.claim('a', 0.2)).toBe(true);
    clock.advance(999);
    expect(await store.claim('a', 0.2)).toBe(false);
    clock.advance(1);
    expect(await store.claim('a', 0.2)).toBe(true);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses a claim with TTL %s rather than remember it for no time', async (ttl) => {
    const store = memoryReplayStore();
    expectCode(await rejection(store.claim('a', ttl)), 'ERR_INVALID_OPTION');
    expect(await store.claim('a', 1)).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses maxEntries %s with ERR_INVALID_OPTION', (maxEntries) => {
    expectCode(
      thrown(() => memoryReplayStore({ maxEntries })),
      'ERR_INVALID_OPTION',
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntriesPerSubject %s with ERR_INVALID_OPTION', (maxEntriesPerSubject) => {
    expectCode(
      thrown(() => memoryReplayStore({ maxEntriesPerSubject })),
      'ERR_INVALID_OPTION',
    );
  });

  it('refuses an option it does not know, naming the one meant', () => {
    const error = thrown(() => memoryReplayStore({ maxEntriesPerSubjects: 5 } as never));
    expectCode(error, 'ERR_INVALID_OPTION');
    expect((error as Error).message).toContain('maxEntriesPerSubject');
  });
});

describe('memoryReplayStore shares its room fairly between subjects', () => {
  it("lets tenant B in after tenant A has filled its quota, and keeps every one of A's tokens", async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ maxEntries: 100, maxEntriesPerSubject: 10, clock: clock.now });
    for (let i = 0; i < 10; i += 1) expect(await store.claim(`a-${i}`, 60, 'tenant-a')).toBe(true);
    for (let i = 10; i < 1_000; i += 1) expectCode(await rejection(store.claim(`a-${i}`, 60, 'tenant-a')), 'ERR_REPLAY_STORE_FULL');
    for (let i = 0; i < 10; i += 1) expect(await store.claim(`b-${i}`, 60, 'tenant-b')).toBe(true);
    // A's tokens are still replays: A's quota refuses, it never forgets.
    for (let i = 0; i < 10; i += 1) expect(await store.claim(`a-${i}`, 60, 'tenant-a')).toBe(false);
  });

  it('gives each subject a tenth of maxEntries by default: 10,000 of the default 100,000', async () => {
    const store = memoryReplayStore({ clock: () => T0 });
    for (let i = 0; i < 10_000; i += 1) expect(await store.claim(`a-${i}`, 60, 'tenant-a')).toBe(true);
    expectCode(await rejection(store.claim('a-10000', 60, 'tenant-a')), 'ERR_REPLAY_STORE_FULL');
    expect(await store.claim('b-0', 60, 'tenant-b')).toBe(true);
    const small = memoryReplayStore({ maxEntries: 25, clock: () => T0 });
    for (const id of ['a', 'b']) expect(await small.claim(id, 60, 'tenant-a')).toBe(true);
    expectCode(await rejection(small.claim('c', 60, 'tenant-a')), 'ERR_REPLAY_STORE_FULL');
  });

  it('still refuses everyone once the store as a whole is full of live tokens', async () => {
    const store = memoryReplayStore({ maxEntries: 30, maxEntriesPerSubject: 10, clock: () => T0 });
    for (const tenant of ['a', 'b', 'c']) for (let i = 0; i < 10; i += 1) expect(await store.claim(`${tenant}-${i}`, 60, tenant)).toBe(true);
    expectCode(await rejection(store.claim('d-0', 60, 'd')), 'ERR_REPLAY_STORE_FULL');
    expectCode(await rejection(store.claim('unscoped', 60)), 'ERR_REPLAY_STORE_FULL');
  });

  it("frees a subject's slots as its tokens expire, one TTL at a time", async () => {
    const clock = manualClock();
    const store = memoryReplayStore({ maxEntries: 100, maxEntriesPerSubject: 5, clock: clock.now });
    // Mixed TTLs, claimed longest first: expiry order is not claim order.
    for (const ttl of [5, 4, 3, 2, 1]) expect(await store.claim(`a-ttl-${ttl}`, ttl, 'tenant-a')).toBe(true);
    for (let second = 1; second <= 5; second += 1) {
      expectCode(await rejection(store.claim(`a-new-${second}`, 60, 'tenant-a')), 'ERR_REPLAY_STORE_FULL');
      clock.advance(1_000);
      expect(await store.claim(`a-new-${second}`, 60, 'tenant-a')).toBe(true);
      // Only the token whose time came was forgotten.
      for (let ttl = second + 1; ttl <= 5; ttl += 1) expect(await store.claim(`a-ttl-${ttl}`, ttl, 'tenant-a')).toBe(false);
    }
  });

  it('does not name the subject in the refusal', async () => {
    const store = memoryReplayStore({ maxEntriesPerSubject: 1, clock: () => T0 });
    await store.claim('a', 60, 'sk_live_SUBJECT_API_KEY');
    const error = await rejection(store.claim('b', 60, 'sk_live_SUBJECT_API_KEY'));
    expectCode(error, 'ERR_REPLAY_STORE_FULL');
    expect(inspect(error, { depth: Infinity }) + JSON.stringify(error)).not.toContain('SUBJECT_API_KEY');
  });

  it('answers 20,000 random claims with mixed TTLs, subjects and replays exactly as a naive reference store', async () => {
    const clock = manualClock();
    const limits = { maxEntries: 40, maxEntriesPerSubject: 12 };
    const store = memoryReplayStore({ ...limits, clock: clock.now });
    const reference = naiveStore(limits, clock.now);
    const random = seeded(20_250_101);
    const outcomes = { accepted: 0, replayed: 0, full: 0 };
    for (let i = 0; i < 20_000; i += 1) {
      clock.advance(Math.floor(random() * 400));
      const id = `id-${Math.floor(random() * 300)}`;
      const scope = random() < 0.1 ? undefined : `tenant-${Math.floor(random() * 5)}`;
      const ttl = random() < 0.5 ? 1 + Math.floor(random() * 20) : random() * 20;
      const expected = reference.claim(id, ttl, scope);
      const actual = await store.claim(id, ttl, scope).then(
        (fresh) => (fresh ? 'accepted' : 'replayed'),
        (error: SignetError) => (error.code === 'ERR_REPLAY_STORE_FULL' ? 'full' : error.code),
      );
      expect(actual, `claim ${i}`).toBe(expected);
      outcomes[expected] += 1;
    }
    // The walk reached every outcome many times, so the comparison means something.
    expect(Math.min(outcomes.accepted, outcomes.replayed, outcomes.full)).toBeGreaterThan(500);
  });
});

/** The store's contract written the slow, obvious way: scan everything on every claim. */
function naiveStore(limits: { maxEntries: number; maxEntriesPerSubject: number }, now: () => number) {
  const entries = new Map<string, { expiresAt: number; scope: string | undefined }>();
  let latest = -Infinity;
  return {
    claim(id: string, ttl: number, scope: string | undefined): 'accepted' | 'replayed' | 'full' {
      latest = Math.max(latest, now());
      for (const [key, entry] of entries) if (entry.expiresAt <= latest) entries.delete(key);
      if (entries.has(id)) return 'replayed';
      if (entries.size >= limits.maxEntries) return 'full';
      if (scope !== undefined && [...entries.values()].filter((entry) => entry.scope === scope).length >= limits.maxEntriesPerSubject) return 'full';
      entries.set(id, { expiresAt: latest + Math.max(1, Math.ceil(ttl)) * 1000, scope });
      return 'accepted';
    },
  };
}

/** A small deterministic PRNG (mulberry32), so a failure replays exactly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
