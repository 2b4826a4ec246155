import * as crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { requestSigner } from '@signet/core';
import { testKeys } from '@signet/test-support';
import { LONE_RUN, MAX_PROBE_RUN, QUIET_MS, offloadPolicy } from '../src/offload.js';
import { bearerToken, sha256Hex } from './helpers.js';

// node:crypto's sign, observed: a call with a callback runs on libuv's thread pool, one without on the calling thread.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, sign: vi.fn(actual.sign) };
});

const { sign: actualSign } = await vi.importActual<typeof crypto>('node:crypto');
const { privateKey } = testKeys().rsa;
const request = (i: number) => ({ method: 'POST', url: `/v1/items/${i}`, body: Buffer.from(`{"i":${i}}`) });
const onPool = (): boolean[] => vi.mocked(crypto.sign).mock.calls.map((call) => typeof call[3] === 'function');

// The policy's clock, in milliseconds, moved by hand: decisions never depend on how fast this machine is.
let now = 0;
const advance = (ms: number): void => void (now += ms);
beforeEach(() => {
  vi.spyOn(offloadPolicy, 'now').mockImplementation(() => now);
  advance(60_000); // a quiet spell: nothing any earlier test did is recent
});
afterEach(() => {
  vi.mocked(crypto.sign).mockReset(); // back to the real sign, calls forgotten
  vi.restoreAllMocks();
});

/**
 * From now on, signatures sent to the pool come back only when the test calls their release, oldest first; the
 * calling-thread path is untouched. Makes "still on the pool" a fact the test sets, not a race.
 */
function holdPoolSignatures(): Array<() => void> {
  const held: Array<() => void> = [];
  const hold = (algorithm: string | null, data: Buffer, key: crypto.KeyObject, callback?: (error: Error | null, signature: Buffer) => void) => {
    if (!callback) return actualSign(algorithm, data, key);
    held.push(() => actualSign(algorithm, data, key, callback));
  };
  vi.mocked(crypto.sign).mockImplementation(hold as typeof crypto.sign);
  return held;
}

/** Lets microtasks run, never the event loop, until crypto.sign has been called `count` times (bounded, a hang guard). */
async function untilSignCalls(count: number): Promise<void> {
  for (let i = 0; i < 10_000 && vi.mocked(crypto.sign).mock.calls.length < count; i++) await Promise.resolve();
  expect(vi.mocked(crypto.sign).mock.calls.length).toBe(count);
}

/** `count` signatures one after another, each awaited, `gapMs` apart on the policy's clock. */
async function inSequence(signer: ReturnType<typeof requestSigner>, count: number, gapMs = 1): Promise<Array<Record<string, string>>> {
  const headers: Array<Record<string, string>> = [];
  for (let i = 0; i < count; i++) {
    advance(gapMs);
    headers.push(await signer.sign(request(i)));
  }
  return headers;
}

describe("offload 'auto' decides from the signatures that came before", () => {
  it('signs a lone signature on the calling thread', async () => {
    await requestSigner({ apiKey: 'k', privateKey }).sign(request(0));
    expect(onPool()).toEqual([false]);
  });

  it('sends 8 signatures started together to the thread pool, every one of them', async () => {
    const signer = requestSigner({ apiKey: 'k', privateKey });
    await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => signer.sign(request(i))));
    expect(onPool()).toEqual(Array(8).fill(true));
  });

  it('sends a signature that starts while others are on the pool to the pool too', async () => {
    const signer = requestSigner({ apiKey: 'k', privateKey });
    const first = Promise.all([signer.sign(request(1)), signer.sign(request(2))]);
    await untilSignCalls(2);
    advance(1);
    const late = signer.sign(request(3));
    await untilSignCalls(3);
    await Promise.all([first, late]);
    expect(onPool()).toEqual([true, true, true]);
  });

  it('after an overlap keeps lone signatures on the pool until LONE_RUN of them in a row, then returns to the calling thread', async () => {
    const signer = requestSigner({ apiKey: 'k', privateKey });
    await Promise.all([signer.sign(request(1)), signer.sign(request(2))]);
    await inSequence(signer, LONE_RUN + 2);
    expect(onPool()).toEqual([true, true, ...Array(LONE_RUN - 1).fill(true), false, false, false]);
  });

  it('after an overlap a pause shorter than QUIET_MS (a busy process off the CPU) stays on the pool; a quiet spell ends it', async () => {
    const signer = requestSigner({ apiKey: 'k', privateKey });
    await Promise.all([signer.sign(request(1)), signer.sign(request(2))]);
    advance(QUIET_MS - 1);
    await signer.sign(request(3));
    advance(QUIET_MS);
    await signer.sign(request(4));
    await inSequence(signer, 3);
    expect(onPool()).toEqual([true, true, true, false, false, false, false]);
  });

  it('a caller signing in sequence stays on the calling thread but for probes it never overlaps, ever rarer: after 16, 32, 64 ... up to MAX_PROBE_RUN lone ones', async () => {
    const count = 800;
    await inSequence(requestSigner({ apiKey: 'k', privateKey }), count);
    const probes = onPool().flatMap((pooled, i) => (pooled ? [i] : []));
    const expected: number[] = [];
    for (let at = 0, run = LONE_RUN; at + run < count; run = Math.min(2 * run, MAX_PROBE_RUN)) expected.push((at += run));
    expect(MAX_PROBE_RUN).toBe(256);
    expect(probes).toEqual(expected);
    expect(probes).toEqual([16, 48, 112, 240, 496, 752]);
  });

  it('an overlap brings the probes back to one in LONE_RUN', async () => {
    const signer = requestSigner({ apiKey: 'k', privateKey });
    await inSequence(signer, 2 * LONE_RUN + 32); // probes at 16 and 48: the next would wait for 64 lone signatures
    await Promise.all([signer.sign(request(1)), signer.sign(request(2))]);
    vi.mocked(crypto.sign).mockClear();
    await inSequence(signer, 3 * LONE_RUN);
    // Back on the calling thread after LONE_RUN, then the first probe LONE_RUN later.
    expect(onPool().flatMap((pooled, i) => (pooled ? [i] : []))).toEqual([...Array.from({ length: LONE_RUN - 1 }, (_, i) => i), 2 * LONE_RUN - 1]);
  });

  it('a quiet spell brings the probes back to one in LONE_RUN', async () => {
    const signer = requestSigner({ apiKey: 'k', privateKey });
    await inSequence(signer, 2 * LONE_RUN + 32);
    vi.mocked(crypto.sign).mockClear();
    await inSequence(signer, LONE_RUN + 1, QUIET_MS);
    await inSequence(signer, LONE_RUN);
    expect(onPool().flatMap((pooled, i) => (pooled ? [i] : []))).toEqual([2 * LONE_RUN]);
  });

  it('under steady concurrency, one signature per turn, the probe meets the next signature and the pool takes over', async () => {
    const held = holdPoolSignatures();
    const signer = requestSigner({ apiKey: 'k', privateKey });
    await inSequence(signer, LONE_RUN);
    let previous = signer.sign(request(100)); // the probe, held on the pool
    await untilSignCalls(LONE_RUN + 1);
    // Each caller starts in a later turn of the event loop, while the one before it is still on the pool.
    for (let i = 101; i < 110; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      advance(1);
      const current = signer.sign(request(i));
      await untilSignCalls(LONE_RUN + 1 + (i - 100));
      held.shift()?.();
      await previous;
      previous = current;
    }
    held.shift()?.();
    await previous;
    expect(onPool()).toEqual([...Array(LONE_RUN).fill(false), ...Array(10).fill(true)]);
  });

  it("with offload 'always' a lone signature goes to the pool", async () => {
    await requestSigner({ apiKey: 'k', privateKey, offload: 'always' }).sign(request(0));
    expect(onPool()).toEqual([true]);
  });

  it('every token is byte for byte the one jsonwebtoken gives, from the calling thread, a probe and the pool', async () => {
    const clock = (): number => 1_700_000_000_000;
    const signer = requestSigner({ apiKey: 'api-key', privateKey, clock });
    const tokens = [...(await inSequence(signer, LONE_RUN + 1)), ...(await Promise.all([0, 1, 2].map((i) => signer.sign(request(i)))))].map(bearerToken);
    const paths = onPool();
    expect(paths).toContain(false);
    expect(paths).toContain(true);
    const claims = (i: number) => ({ uri: `/v1/items/${i}`, iat: 1_700_000_000, exp: 1_700_000_055, sub: 'api-key', bodyHash: sha256Hex(`{"i":${i}}`) });
    const indices = [...Array.from({ length: LONE_RUN + 1 }, (_, i) => i), 0, 1, 2];
    expect(tokens).toEqual(indices.map((i) => jwt.sign(claims(i), privateKey, { algorithm: 'RS256' })));
  });
});
