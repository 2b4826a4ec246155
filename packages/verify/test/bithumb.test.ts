import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { bithumbSigner } from '@signet/core';
import { bithumbVerifier, memoryReplayStore } from '@signet/verify';

const ACCESS_KEY = 'bithumb-ak';
const SECRET = 'bithumb-secret-for-tests';
const NOW_MS = 1_700_000_000_000;
const empty = Buffer.alloc(0);
const verifier = bithumbVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET, clock: () => NOW_MS, replay: memoryReplayStore() });

async function request(signedAtMs: number, url = '/v1/orders?market=KRW-BTC') {
  const { Authorization } = await bithumbSigner({ accessKey: ACCESS_KEY, secretKey: SECRET, clock: () => signedAtMs }).sign({ method: 'GET', url });
  return { method: 'GET', url, headers: { authorization: Authorization as string }, body: empty };
}

describe('bithumbVerifier', () => {
  it('accepts a fresh token once; refuses an old, a future and a replayed one', async () => {
    const fresh = await request(NOW_MS - 1_000);
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ access_key: ACCESS_KEY, timestamp: NOW_MS - 1_000 });
    await expect(verifier.verify(fresh)).rejects.toBeSignetError('ERR_TOKEN_REPLAYED');
    await expect(verifier.verify(await request(NOW_MS - 120_000))).rejects.toBeSignetError('ERR_TOKEN_EXPIRED');
    await expect(verifier.verify(await request(NOW_MS + 60_000))).rejects.toBeSignetError('ERR_TOKEN_FUTURE');
  });

  it('refuses a changed query, and a Korean value hashed in the other form', async () => {
    const signed = await request(NOW_MS, '/v1/orders?memo=%EC%9E%84');
    await expect(verifier.verify({ ...signed, url: '/v1/orders?memo=%EC%9E%85' })).rejects.toBeSignetError('ERR_URI_MISMATCH');
    const encodedSigner = bithumbSigner({ accessKey: ACCESS_KEY, secretKey: SECRET, clock: () => NOW_MS, queryHashForm: 'encoded' });
    const { Authorization } = await encodedSigner.sign({ method: 'GET', url: '/v1/orders?memo=%EC%9E%84' });
    await expect(verifier.verify({ ...signed, headers: { authorization: Authorization as string } })).rejects.toBeSignetError('ERR_URI_MISMATCH');
    const encodedVerifier = bithumbVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET, clock: () => NOW_MS, queryHashForm: 'encoded' });
    await expect(encodedVerifier.verify({ ...signed, headers: { authorization: Authorization as string } })).resolves.toBeDefined();
  });
});
