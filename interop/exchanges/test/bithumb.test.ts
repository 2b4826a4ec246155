import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bithumbSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { bithumbVerifier, memoryReplayStore } from '@signet/verify';
import { type VerifyingServer, startVerifyingServer } from '../../support/verifying-server.js';
import { ACCESS_KEY, NONCE, NOW_MS, SECRET_KEY, ccxtSign, documentedHashInput, sha512Hex, verifiedClaims } from './support.js';

const fixed = { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, nonce: () => NONCE, clock: () => NOW_MS };
const encoded = bithumbSigner({ ...fixed, queryHashForm: 'encoded' });
const raw = bithumbSigner(fixed);

describe('bithumbSigner against ccxt 4.5.84 bithumb.sign() (API 2.0, /v1/…)', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['GET with a query, an array and Korean text', 'GET', { market: 'KRW-BTC', states: ['wait', 'watch'], memo: '비트코인' }],
    ['POST with a JSON body (Korean, a number)', 'POST', { market: 'KRW-BTC', side: 'bid', price: '100000', volume: 1, memo: '한글' }],
    ['DELETE with a query', 'DELETE', { uuid: 'C0106000032400700021' }],
    ['GET without parameters', 'GET', {}],
  ];
  for (const [name, method, params] of cases) {
    it(`queryHashForm 'encoded', ${name}: the same token as ccxt, byte for byte`, async () => {
      const theirs = ccxtSign('bithumb', 'v1/orders', method, params);
      const ours = await encoded.sign({ method, url: theirs.wire, body: theirs.body });
      expect(ours.Authorization).toBe(theirs.authorization);
      const claims = verifiedClaims(ours.Authorization);
      expect(claims).toMatchObject({ access_key: ACCESS_KEY, nonce: NONCE, timestamp: NOW_MS });
    });
  }

  it("the default 'raw' form: ccxt's token where nothing needs encoding; Korean text hashed unencoded, as Bithumb's server recomputes it", async () => {
    const ascii = ccxtSign('bithumb', 'v1/orders', 'GET', { market: 'KRW-BTC', states: ['wait', 'watch'] });
    expect((await raw.sign({ method: 'GET', url: ascii.wire })).Authorization).toBe(ascii.authorization);
    const korean = ccxtSign('bithumb', 'v1/withdraws/coin', 'POST', { currency: 'USDT', receiver_ko_name: '임현성', receiver_en_name: 'IM HYEONSEONG' });
    const claims = verifiedClaims((await raw.sign({ method: 'POST', url: korean.wire, body: korean.body })).Authorization);
    expect(claims['query_hash']).toBe(sha512Hex('currency=USDT&receiver_ko_name=임현성&receiver_en_name=IM HYEONSEONG'));
    // ccxt hashes the encoded form, which users report Bithumb refuses for Korean text (invalid_query_payload).
    expect(verifiedClaims(korean.authorization)['query_hash']).toBe(sha512Hex('currency=USDT&receiver_ko_name=%EC%9E%84%ED%98%84%EC%84%B1&receiver_en_name=IM%20HYEONSEONG'));
  });
});

describe('bithumbSigner on the wire: createSignedAxios and createSignedFetch against a server running bithumbVerifier', () => {
  let server: VerifyingServer;
  const verifier = bithumbVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, replay: memoryReplayStore() });
  const live = bithumbSigner({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
  beforeAll(async () => {
    server = await startVerifyingServer(async (request) => {
      const claims = verifiedClaims(request.headers.authorization);
      const input = documentedHashInput(request.url, request.body, 'raw');
      if (claims['query_hash'] !== (input === undefined ? undefined : sha512Hex(input))) throw new Error(`query_hash is not SHA-512(${input})`);
      if (typeof claims['timestamp'] !== 'number' || Math.abs(claims['timestamp'] - Date.now()) > 60_000) throw new Error('timestamp is not now in ms');
      return verifier.verify(request);
    });
  });
  afterAll(() => server.close());

  it('GET/DELETE queries, POST JSON bodies with Korean text and spaces, and no parameters: accepted by both checks', async () => {
    const api = createSignedAxios(live, { baseURL: server.origin });
    const signedFetch = createSignedFetch(live, { baseURL: server.origin });
    const queries = [
      { market: 'KRW-BTC', 'states[]': ['wait', 'watch'] },
      { market: 'KRW-BTC', memo: '임 현성', note: 'a+b&c=d' },
    ];
    for (const params of queries) {
      await api.get('/v1/orders', { params });
      await api.delete('/v1/order', { params });
    }
    await signedFetch('/v1/orders?market=KRW-BTC&states%5B%5D=wait&memo=%EC%9E%84+%ED%98%84%EC%84%B1');
    const body = { currency: 'USDT', net_type: 'TRX', amount: '3', receiver_ko_name: '임현성', receiver_en_name: 'IM HYEONSEONG' };
    await api.post('/v1/withdraws/coin', body);
    await signedFetch('/v1/withdraws/coin', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await api.get('/v1/accounts');
    const failures = server.checked.filter((entry) => entry.error !== undefined).map((entry) => `${entry.method} ${entry.url}: ${String(entry.error)}`);
    expect(failures).toEqual([]);
    expect(server.checked).toHaveLength(8);
  });
});
