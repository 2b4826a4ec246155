import { Buffer } from 'node:buffer';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import jwt from 'jsonwebtoken';
import type * as FireblocksModule from '@fireblocks/ts-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FIREBLOCKS_BASE_URLS, SignetError, fireblocksSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { fireblocksVerifier, memoryReplayStore } from '@signet/verify';
import { binaryCases, stringCases } from '@signet/test-support';
import { type VerifyingServer, startVerifyingServer } from '../../support/verifying-server.js';

// @fireblocks/ts-sdk is the provider's own code: its BearerTokenProvider mints the tokens its client sends. Its nonce
// comes from uuid's v4, which it looks up on the module at every call; the module is swapped in require's cache for
// one whose v4 can be fixed, before the SDK is loaded, so both sides can mint for the same nonce.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@fireblocks/ts-sdk'));
const uuidPath = sdkRequire.resolve('uuid');
const realUuid = sdkRequire('uuid') as { v4: () => string };
let fixedNonce: string | undefined;
(sdkRequire.cache[uuidPath] as NodeJS.Module).exports = { ...realUuid, v4: () => fixedNonce ?? realUuid.v4() };
const { BearerTokenProvider } = sdkRequire('./network/bearerTokenProvider.js') as {
  BearerTokenProvider: new (apiKey: string, secretKey: string) => { getToken(method: string, url: string, payload?: unknown): string };
};
const { Fireblocks } = sdkRequire('@fireblocks/ts-sdk') as typeof FireblocksModule;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const API_KEY = '3f7a0c2e-1b5d-4c8e-9f00-fireblocks-it';
const NOW_MS = 1_700_000_000_400;
const NONCE = 'a6a7f3e4-5b2c-4d1e-8f9a-0b1c2d3e4f50';
const sha256 = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

afterEach(() => {
  vi.useRealTimers();
  fixedNonce = undefined;
});

describe('fireblocksSigner against @fireblocks/ts-sdk', () => {
  const requests = [
    { title: 'a GET without a body (the SDK hashes the empty string)', method: 'GET', url: '/v1/vault/accounts_paged?limit=2&orderBy=DESC', data: undefined },
    { title: 'a POST with a JSON body', method: 'POST', url: '/v1/transactions', data: '{"assetId":"ETH","amount":"0.5","note":"Grüße 🚀"}' },
    { title: 'a PUT with a JSON body', method: 'PUT', url: '/v1/vault/accounts/0', data: '{"name":"treasury"}' },
    { title: 'a DELETE without a body', method: 'DELETE', url: '/v1/webhooks/abc', data: undefined },
  ];
  for (const request of requests) {
    it(`mints the very token the SDK's own token provider mints for ${request.title}, with exp = iat + 55`, async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(NOW_MS);
      fixedNonce = NONCE;
      const theirs = new BearerTokenProvider(API_KEY, privateKeyPem).getToken(request.method, `https://api.fireblocks.io${request.url}`, request.data);
      const signer = fireblocksSigner({ apiKey: API_KEY, privateKey: privateKeyPem, clock: () => NOW_MS, nonce: () => NONCE, expiresInSeconds: 55 });
      const body = request.data === undefined ? undefined : Buffer.from(request.data, 'utf8');
      const ours = await signer.sign({ method: request.method, url: request.url, body });
      expect(ours).toEqual({ Authorization: `Bearer ${theirs}`, 'X-API-Key': API_KEY });
      expect(jwt.decode(theirs)).toEqual({
        uri: request.url,
        nonce: NONCE,
        iat: 1_700_000_000,
        exp: 1_700_000_055,
        sub: API_KEY,
        bodyHash: sha256(request.data ?? ''),
      });
    });
  }

  it('keeps to the documented exp < iat + 30 by default, and gives every token its own nonce', async () => {
    const signer = fireblocksSigner({ apiKey: API_KEY, privateKey: privateKeyPem, clock: () => NOW_MS });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => signer.sign({ method: 'GET', url: '/v1/supported_assets' })));
    const claims = tokens.map((headers) => jwt.verify(String(headers['Authorization']).slice(7), rsa.publicKey, { algorithms: ['RS256'], clockTimestamp: NOW_MS / 1000 }) as jwt.JwtPayload);
    for (const claim of claims) expect((claim.exp as number) - (claim.iat as number)).toBe(29);
    expect(new Set(claims.map((claim) => claim['nonce'])).size).toBe(20);
  });

  it('refuses a nonce that is not a function: Fireblocks requires one on every token', () => {
    expect(() => fireblocksSigner({ apiKey: API_KEY, privateKey: privateKeyPem, nonce: false as never })).toThrow(SignetError);
    expect(() => fireblocksSigner({ apiKey: API_KEY, privateKey: privateKeyPem, emptyBody: '{}' } as never)).toThrow(/no option "emptyBody"/);
  });
});

describe('fireblocksVerifier', () => {
  let server: VerifyingServer;
  const verifier = fireblocksVerifier({ publicKey: rsa.publicKey, replay: memoryReplayStore() });
  beforeAll(async () => {
    server = await startVerifyingServer((request) => verifier.verify(request));
  });
  afterAll(() => server.close());

  it('accepts what the real @fireblocks/ts-sdk client sends, GET and POST, on the wire', async () => {
    server.checked.length = 0;
    const fireblocks = new Fireblocks({ apiKey: API_KEY, secretKey: privateKeyPem, basePath: `${server.origin}/v1` });
    await fireblocks.vaults.getPagedVaultAccounts({ limit: 2 });
    await fireblocks.transactions.createTransaction({ transactionRequest: { assetId: 'ETH', amount: '0.5', note: 'Grüße' } });
    expect(server.checked.map(({ method, url }) => `${method} ${url}`)).toEqual(['GET /v1/vault/accounts_paged?limit=2', 'POST /v1/transactions']);
    for (const checked of server.checked) {
      expect(checked.error).toBeUndefined();
      expect(checked.claims).toMatchObject({ sub: API_KEY, uri: checked.url });
    }
  });

  it('refuses a token the SDK minted for another API key than its X-API-Key header names', async () => {
    const token = new BearerTokenProvider('another-key', privateKeyPem).getToken('GET', 'https://api.fireblocks.io/v1/users');
    await expect(verifier.verify({ method: 'GET', url: '/v1/users', headers: { authorization: `Bearer ${token}`, 'x-api-key': API_KEY }, body: new Uint8Array() })).rejects.toMatchObject({
      code: 'ERR_API_KEY_MISMATCH',
    });
  });

  it('refuses a token without a nonce even with no replay store, and a replayed nonce with one', async () => {
    const plain = fireblocksVerifier({ publicKey: rsa.publicKey });
    const now = Math.floor(Date.now() / 1000);
    const noNonce = jwt.sign({ uri: '/v1/users', iat: now, exp: now + 29, sub: API_KEY, bodyHash: sha256('') }, privateKeyPem, { algorithm: 'RS256' });
    const head = { method: 'GET', url: '/v1/users', headers: { authorization: `Bearer ${noNonce}`, 'x-api-key': API_KEY }, body: new Uint8Array() };
    await expect(plain.verify(head)).rejects.toMatchObject({ code: 'ERR_NONCE_REQUIRED' });
    // A jti is not Fireblocks' nonce.
    const withJti = jwt.sign({ uri: '/v1/users', jti: 'j-1', iat: now, exp: now + 29, sub: API_KEY, bodyHash: sha256('') }, privateKeyPem, { algorithm: 'RS256' });
    await expect(plain.verify({ ...head, headers: { ...head.headers, authorization: `Bearer ${withJti}` } })).rejects.toMatchObject({ code: 'ERR_NONCE_REQUIRED' });
    // Fireblocks documents the nonce as a "unique number or string".
    const numeric = jwt.sign({ uri: '/v1/users', nonce: 1234567890123, iat: now, exp: now + 29, sub: API_KEY, bodyHash: sha256('') }, privateKeyPem, { algorithm: 'RS256' });
    const numericRequest = { ...head, headers: { ...head.headers, authorization: `Bearer ${numeric}` } };
    await expect(verifier.verify(numericRequest)).resolves.toMatchObject({ nonce: 1234567890123 });
    await expect(verifier.verify(numericRequest)).rejects.toMatchObject({ code: 'ERR_TOKEN_REPLAYED' });
  });

  it("refuses a bodiless request whose bodyHash covers '{}' (the generic scheme's convention), not ''", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign({ uri: '/v1/users', nonce: 'n-braces', iat: now, exp: now + 29, sub: API_KEY, bodyHash: sha256('{}') }, privateKeyPem, { algorithm: 'RS256' });
    await expect(verifier.verify({ method: 'GET', url: '/v1/users', headers: { authorization: `Bearer ${token}`, 'x-api-key': API_KEY }, body: new Uint8Array() })).rejects.toMatchObject({
      code: 'ERR_BODY_HASH_MISMATCH',
    });
  });

  it('accepts the 55 s the SDKs give their tokens and refuses a longer lifetime', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (lifetime: number, nonce: string): string => jwt.sign({ uri: '/v1/users', nonce, iat: now, exp: now + lifetime, sub: API_KEY, bodyHash: sha256('') }, privateKeyPem, { algorithm: 'RS256' });
    const request = (token: string) => ({ method: 'GET', url: '/v1/users', headers: { authorization: `Bearer ${token}`, 'x-api-key': API_KEY }, body: new Uint8Array() });
    await expect(verifier.verify(request(sign(55, 'n-55')))).resolves.toMatchObject({ nonce: 'n-55' });
    await expect(verifier.verify(request(sign(56, 'n-56')))).rejects.toMatchObject({ code: 'ERR_TOKEN_LIFETIME' });
  });
});

describe('fireblocksSigner on the wire, every body and URL shape, checked with jsonwebtoken', () => {
  let server: VerifyingServer;
  beforeAll(async () => {
    server = await startVerifyingServer((request) => {
      const token = String(request.headers['authorization']).replace(/^Bearer /, '');
      const claims = jwt.verify(token, rsa.publicKey, { algorithms: ['RS256'] }) as jwt.JwtPayload;
      expect(request.headers['x-api-key']).toBe(API_KEY);
      expect(Object.keys(claims)).toEqual(['uri', 'nonce', 'iat', 'exp', 'sub', 'bodyHash']);
      expect(claims['uri']).toBe(request.url);
      expect(claims['bodyHash']).toBe(sha256(request.body));
      expect(claims['sub']).toBe(API_KEY);
      return claims;
    });
  });
  afterAll(() => server.close());
  const signer = fireblocksSigner({ apiKey: API_KEY, privateKey: rsa.privateKey });
  const urls = ['/vault/accounts_paged', '/transactions?status=COMPLETED&limit=5', '/x/%E4%B8%96%20y?q=a%2Bb&e=', '/assets/BTC_TEST?tags[]=a&tags[]=b'];

  it('through createSignedAxios and createSignedFetch: every URL shape bodiless, every body shape posted', async () => {
    server.checked.length = 0;
    const api = createSignedAxios(signer, { baseURL: `${server.origin}/v1` });
    const signedFetch = createSignedFetch(signer, { baseURL: `${server.origin}/v1` });
    for (const url of urls) {
      await api.get(url);
      await signedFetch(url);
    }
    for (const c of binaryCases) {
      await api.post('/transactions', c.body(), { headers: { 'content-type': 'application/octet-stream' } });
      await signedFetch('/transactions', { method: 'POST', body: c.body() as BodyInit });
    }
    for (const c of stringCases) {
      await api.post('/transactions', c.body, { headers: { 'content-type': c.contentType ?? 'text/plain' } });
      await signedFetch('/transactions', { method: 'POST', body: c.body, headers: { 'content-type': c.contentType ?? 'text/plain' } });
    }
    await api.post('/transactions', { assetId: 'ETH', amount: '1' });
    expect(server.checked).toHaveLength(urls.length * 2 + binaryCases.length * 2 + stringCases.length * 2 + 1);
    expect(server.checked.filter((checked) => checked.error !== undefined).map((checked) => `${checked.method} ${checked.url}: ${String(checked.error)}`)).toEqual([]);
  });

  it('pinned to a preset base URL, refuses to send the credentials to any other Fireblocks region', async () => {
    const api = createSignedAxios(signer, { baseURL: FIREBLOCKS_BASE_URLS.eu });
    await expect(api.get(`${FIREBLOCKS_BASE_URLS.us}/users`)).rejects.toMatchObject({ code: 'ERR_ORIGIN_NOT_ALLOWED' });
    await expect(api.get(`${FIREBLOCKS_BASE_URLS.sandbox}/users`)).rejects.toMatchObject({ code: 'ERR_ORIGIN_NOT_ALLOWED' });
    expect(Object.values(FIREBLOCKS_BASE_URLS).map((url) => new URL(url).origin)).toEqual([
      'https://api.fireblocks.io',
      'https://eu-api.fireblocks.io',
      'https://eu2-api.fireblocks.io',
      'https://sandbox-api.fireblocks.io',
    ]);
  });
});
