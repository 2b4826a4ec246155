import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upbitSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { memoryReplayStore, upbitVerifier } from '@signet/verify';
import { type VerifyingServer, startVerifyingServer } from '../../support/verifying-server.js';
import { ACCESS_KEY, NONCE, SECRET_KEY, ccxtSign, documentedHashInput, sha512Hex, verifiedClaims } from './support.js';

const signer = upbitSigner({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, nonce: () => NONCE });

describe('upbitSigner against ccxt 4.5.84 upbit.sign()', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['GET with a query, an array and Korean text', 'GET', { market: 'KRW-BTC', states: ['wait', 'watch'], memo: '비트코인' }],
    ['GET with reserved characters in a value', 'GET', { market: 'KRW-BTC', note: 'a&b=c/d?e' }],
    ['POST with a JSON body (Korean, a number)', 'POST', { market: 'KRW-BTC', side: 'bid', price: '100000', volume: 1, memo: '한글' }],
    ['DELETE with a query', 'DELETE', { uuid: 'cdd92199-2897-4e14-9448-f923320408ad' }],
    ['GET without parameters', 'GET', {}],
  ];
  for (const [name, method, params] of cases) {
    it(`${name}: the same token, byte for byte, for the request ccxt puts on the wire`, async () => {
      const theirs = ccxtSign('upbit', 'orders', method, params);
      const ours = await signer.sign({ method, url: theirs.wire, body: theirs.body });
      expect(ours.Authorization).toBe(theirs.authorization);
      const claims = verifiedClaims(ours.Authorization);
      expect(claims['access_key']).toBe(ACCESS_KEY);
      expect(claims['nonce']).toBe(NONCE);
      if (Object.keys(params).length === 0) expect(claims).not.toHaveProperty('query_hash');
      else expect(claims['query_hash_alg']).toBe('SHA512');
    });
  }

  it('a space: Upbit\'s documented rule writes it "+" (Python unquote(urlencode())); ccxt\'s JavaScript build writes " "', async () => {
    const theirs = ccxtSign('upbit', 'orders', 'GET', { market: 'KRW-BTC', memo: '임 현성' });
    const claims = verifiedClaims((await signer.sign({ method: 'GET', url: theirs.wire })).Authorization);
    expect(claims['query_hash']).toBe(sha512Hex('market=KRW-BTC&memo=임+현성'));
    expect(verifiedClaims(theirs.authorization)['query_hash']).toBe(sha512Hex('market=KRW-BTC&memo=임 현성'));
  });

  it('HS512 when asked: jsonwebtoken verifies it and reads the same claims', async () => {
    const hs512 = upbitSigner({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, algorithm: 'HS512', nonce: () => NONCE });
    const { Authorization } = await hs512.sign({ method: 'GET', url: '/v1/orders?market=KRW-BTC' });
    expect(JSON.parse(Buffer.from((Authorization as string).split('.')[0]?.slice(7) ?? '', 'base64url').toString())).toEqual({ alg: 'HS512', typ: 'JWT' });
    expect(verifiedClaims(Authorization)['query_hash']).toBe(sha512Hex('market=KRW-BTC'));
  });
});

describe('upbitSigner on the wire: createSignedAxios and createSignedFetch against a server running upbitVerifier', () => {
  let server: VerifyingServer;
  const verifier = upbitVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY, replay: memoryReplayStore() });
  const live = upbitSigner({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
  beforeAll(async () => {
    server = await startVerifyingServer(async (request) => {
      const claims = verifiedClaims(request.headers.authorization);
      // The independent check: the hash recomputed here from what arrived, by Upbit's documented rule.
      const input = documentedHashInput(request.url, request.body, 'upbit');
      if (claims['query_hash'] !== (input === undefined ? undefined : sha512Hex(input))) throw new Error(`query_hash is not SHA-512(${input})`);
      return verifier.verify(request);
    });
  });
  afterAll(() => server.close());

  const queries: Record<string, unknown>[] = [
    { market: 'KRW-BTC', 'states[]': ['wait', 'watch'] },
    { market: 'KRW-BTC', memo: '임 현성', note: 'a+b&c=d/e?f%g' },
    { uuids: ['a-1', 'b-2'], limit: 10 },
  ];
  const bodies: Record<string, unknown>[] = [
    { market: 'KRW-BTC', side: 'bid', price: '100000', ord_type: 'price' },
    { market: 'KRW-BTC', memo: '임 현성 +&=', volume: 0.5, post_only: true },
    { identifiers: ['x1', 'x2'], market: 'KRW-ETH' },
  ];

  it('GET/DELETE with every query shape, POST with JSON bodies, and no parameters: all accepted by both checks', async () => {
    const api = createSignedAxios(live, { baseURL: server.origin });
    const signedFetch = createSignedFetch(live, { baseURL: server.origin });
    for (const params of queries) {
      await api.get('/v1/orders', { params });
      await api.delete('/v1/order', { params });
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(params)) for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
      await signedFetch(`/v1/orders?${search}`);
    }
    for (const body of bodies) {
      await api.post('/v1/orders', body);
      await signedFetch('/v1/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    }
    await api.get('/v1/accounts');
    await signedFetch('/v1/accounts');
    const failures = server.checked.filter((entry) => entry.error !== undefined).map((entry) => `${entry.method} ${entry.url}: ${String(entry.error)}`);
    expect(failures).toEqual([]);
    expect(server.checked).toHaveLength(queries.length * 3 + bodies.length * 2 + 2);
  });
});
