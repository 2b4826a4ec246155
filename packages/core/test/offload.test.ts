import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type OffloadMode, jwtSigner, requestSigner } from '@signet/core';
import { offloadPolicy } from '../src/offload.js';
import { bearerToken, sha256Hex, thrownSignetError } from './helpers.js';
import { testKeys } from '@signet/test-support';

const { privateKey } = testKeys().rsa;
const clock = (): number => 1_700_000_000_000;
const request = (i: number) => ({ method: 'POST', url: `/v1/items/${i}?a=1`, body: Buffer.from(`{"i":${i}}`) });
const expected = (i: number): string => jwt.sign({ uri: `/v1/items/${i}?a=1`, iat: 1_700_000_000, exp: 1_700_000_055, sub: 'api-key', bodyHash: sha256Hex(`{"i":${i}}`) }, privateKey, { algorithm: 'RS256' });

/** Resolves, in order, the names of the events: each signature's resolution and one setImmediate queued with them. */
async function orderOf(signatures: Promise<unknown>[]): Promise<string[]> {
  const order: string[] = [];
  const immediate = new Promise<void>((resolve) => setImmediate(() => resolve(void order.push('setImmediate'))));
  await Promise.all([...signatures.map((p, i) => p.then(() => order.push(`signature ${i}`))), immediate]);
  return order;
}

// Each test starts after a quiet minute on the policy's clock: what an earlier test signed is not recent.
let now = 0;
beforeEach(() => {
  now += 60_000;
  vi.spyOn(offloadPolicy, 'now').mockImplementation(() => now);
});
afterEach(() => vi.restoreAllMocks());

describe('where RSA signatures run', () => {
  it.each<OffloadMode>(['auto', 'always'])('offload %s gives byte for byte the token jsonwebtoken gives, alone and 8 at once', async (offload) => {
    const signer = requestSigner({ apiKey: 'api-key', privateKey, clock, offload });
    expect(bearerToken(await signer.sign(request(0)))).toBe(expected(0));
    const tokens = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (i) => bearerToken(await signer.sign(request(i)))));
    expect(tokens).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(expected));
  });

  it("offload 'auto' signs a lone signature on the calling thread: it resolves before a setImmediate queued with it", async () => {
    const signer = requestSigner({ apiKey: 'api-key', privateKey, clock });
    expect(await orderOf([signer.sign(request(1))])).toEqual(['signature 0', 'setImmediate']);
  });

  it('an ES256 signature from either path verifies with jsonwebtoken', async () => {
    const ec = testKeys().p256;
    for (const offload of ['auto', 'always'] as const) {
      const signer = jwtSigner({ algorithm: 'ES256', key: ec.privateKey, claims: { sub: 'svc' }, offload });
      const [alone, ...together] = [bearerToken(await signer.sign(request(0))), ...(await Promise.all([1, 2, 3].map(async (i) => bearerToken(await signer.sign(request(i))))))];
      for (const token of [alone, ...together]) expect(jwt.verify(token, ec.publicKey, { algorithms: ['ES256'] })).toMatchObject({ sub: 'svc' });
    }
  });

  it('an unknown offload mode is refused at construction', () => {
    expect(thrownSignetError(() => requestSigner({ apiKey: 'k', privateKey, offload: 'never' as OffloadMode }), 'ERR_INVALID_OPTION').code).toBe('ERR_INVALID_OPTION');
    thrownSignetError(() => jwtSigner({ algorithm: 'RS256', key: privateKey, offload: 'sometimes' as OffloadMode }), 'ERR_INVALID_OPTION');
  });
});
