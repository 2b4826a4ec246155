import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestSigner } from '@signet/core';
import { testKeys } from '@signet/test-support';

// node:crypto's sign, observed: a call with a callback runs on libuv's thread pool, one without on the calling thread.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, sign: vi.fn(actual.sign) };
});

const { privateKey } = testKeys().rsa;
const request = (i: number) => ({ method: 'POST', url: `/v1/items/${i}`, body: Buffer.from(`{"i":${i}}`) });
const onPool = (): boolean[] => vi.mocked(crypto.sign).mock.calls.map((call) => typeof call[3] === 'function');

afterEach(() => vi.mocked(crypto.sign).mockClear());

describe("offload 'auto' decides per batch of overlapping signatures", () => {
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
    await Promise.resolve();
    await Promise.resolve();
    const late = signer.sign(request(3));
    await Promise.all([first, late]);
    expect(onPool()).toEqual([true, true, true]);
  });

  it("with offload 'always' a lone signature goes to the pool", async () => {
    await requestSigner({ apiKey: 'k', privateKey, offload: 'always' }).sign(request(0));
    expect(onPool()).toEqual([true]);
  });
});
