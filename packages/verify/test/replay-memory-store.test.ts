import { describe, expect, it } from 'vitest';
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

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses maxEntries %s with ERR_INVALID_OPTION', (maxEntries) => {
    expectCode(
      thrown(() => memoryReplayStore({ maxEntries })),
      'ERR_INVALID_OPTION',
    );
  });
});
