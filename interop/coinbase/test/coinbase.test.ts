import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import { generateJwt } from '@coinbase/cdp-sdk/auth';
import { decodeProtectedHeader, importJWK, importSPKI, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignetError, coinbaseSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { coinbaseVerifier, memoryReplayStore } from '@signet/verify';
import { binaryCases, stringCases } from '@signet/test-support';
import { type VerifyingServer, startVerifyingServer } from '../../support/verifying-server.js';

// Keys as CDP issues them, generated at test time: a P-256 key as SEC1 "EC PRIVATE KEY" PEM and as PKCS#8, and an
// Ed25519 secret as base64 of seed + public key.
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ecSec1 = ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const ecPkcs8 = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ecPublicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ed = generateKeyPairSync('ed25519');
const edJwk = ed.privateKey.export({ format: 'jwk' });
const edSecret = Buffer.concat([Buffer.from(edJwk.d as string, 'base64url'), Buffer.from(edJwk.x as string, 'base64url')]).toString('base64');
const KEY_NAME = 'organizations/0f0e0d0c-aaaa-bbbb-cccc-000000000001/apiKeys/11112222-3333-4444-5555-666677778888';
const NOW_MS = 1_700_000_000_250;
const NOW = 1_700_000_000;
const NONCE = '00112233445566778899aabbccddeeff';

/** Verifies with jose, the library @coinbase/cdp-sdk signs with, the key imported as the SDK imports it (SPKI of the PEM key, JWK of the Ed25519 secret). */
async function verifyTheSdkWay(token: string, secret: string) {
  const key = secret.includes('BEGIN') ? await importSPKI(ecPublicPem, 'ES256') : await importJWK({ kty: 'OKP', crv: 'Ed25519', x: edJwk.x as string }, 'EdDSA');
  const { payload, protectedHeader } = await jwtVerify(token, key, { currentDate: new Date(NOW_MS) });
  return { header: protectedHeader, payload };
}

afterEach(() => vi.useRealTimers());

describe('coinbaseSigner against @coinbase/cdp-sdk generateJwt', () => {
  it('EdDSA: mints byte for byte the token generateJwt mints for the same request, clock and nonce (uris form)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW_MS);
    // generateJwt draws its 16 nonce bytes from the platform's getRandomValues.
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      (array as unknown as Uint8Array).set(Buffer.from(NONCE, 'hex'));
      return array;
    });
    const theirs = await generateJwt({ apiKeyId: KEY_NAME, apiKeySecret: edSecret, requestMethod: 'GET', requestHost: 'api.cdp.coinbase.com', requestPath: '/platform/v2/evm/accounts' });
    spy.mockRestore();
    const signer = coinbaseSigner({ keyName: KEY_NAME, privateKey: edSecret, uriClaim: 'uris', clock: () => NOW_MS, nonce: () => NONCE });
    const ours = await signer.sign({ method: 'GET', url: '/platform/v2/evm/accounts?pageSize=5', origin: 'https://api.cdp.coinbase.com' });
    expect(ours).toEqual({ Authorization: `Bearer ${theirs}` });
    const { header, payload } = await verifyTheSdkWay(theirs, edSecret);
    expect(header).toEqual({ alg: 'EdDSA', kid: KEY_NAME, typ: 'JWT', nonce: NONCE });
    expect(payload).toEqual({ sub: KEY_NAME, iss: 'cdp', uris: ['GET api.cdp.coinbase.com/platform/v2/evm/accounts'], iat: NOW, nbf: NOW, exp: NOW + 120 });
  });

  it('ES256 (PKCS#8): the same header fields and claims as generateJwt, and each side verifies the other', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW_MS);
    const theirs = await generateJwt({ apiKeyId: KEY_NAME, apiKeySecret: ecPkcs8, requestMethod: 'POST', requestHost: 'api.coinbase.com', requestPath: '/api/v3/brokerage/orders' });
    vi.useRealTimers();
    const signer = coinbaseSigner({ keyName: KEY_NAME, privateKey: ecSec1, uriClaim: 'uris', clock: () => NOW_MS });
    const ours = String((await signer.sign({ method: 'post', url: '/api/v3/brokerage/orders', origin: 'https://api.coinbase.com', body: Buffer.from('{}') }))['Authorization']).slice(7);
    const mine = await verifyTheSdkWay(ours, ecPkcs8);
    const sdk = await verifyTheSdkWay(theirs, ecPkcs8);
    expect(mine.payload).toEqual(sdk.payload);
    expect(Object.keys(mine.header)).toEqual(Object.keys(sdk.header));
    expect({ ...mine.header, nonce: 'n' }).toEqual({ ...sdk.header, nonce: 'n' });
    expect(mine.header.nonce).toMatch(/^[0-9a-f]{32}$/);
    // And Signet's verifier accepts the SDK's token for the request it names.
    const verifier = coinbaseVerifier({ publicKey: ec.publicKey, host: 'api.coinbase.com', clock: () => NOW_MS });
    const request = { method: 'POST', url: '/api/v3/brokerage/orders', headers: { authorization: `Bearer ${theirs}` }, body: new Uint8Array() };
    await expect(verifier.verify(request)).resolves.toMatchObject({ sub: KEY_NAME });
    await expect(verifier.verify({ ...request, url: '/api/v3/brokerage/orders/batch_cancel' })).rejects.toMatchObject({ code: 'ERR_URI_MISMATCH' });
  });

  it("coinbaseVerifier accepts the SDK's ES256 tokens whatever their S: jose leaves about half of them high-S", async () => {
    const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const verifier = coinbaseVerifier({ publicKey: ec.publicKey, host: 'api.coinbase.com' });
    let high = 0;
    for (let i = 0; i < 40 && high < 3; i++) {
      const token = await generateJwt({ apiKeyId: KEY_NAME, apiKeySecret: ecPkcs8, requestMethod: 'GET', requestHost: 'api.coinbase.com', requestPath: '/api/v3/brokerage/accounts' });
      if (
        BigInt(
          `0x${Buffer.from(token.split('.')[2] as string, 'base64url')
            .subarray(32)
            .toString('hex')}`,
        ) >
        order >> 1n
      )
        high += 1;
      await expect(verifier.verify({ method: 'GET', url: '/api/v3/brokerage/accounts', headers: { authorization: `Bearer ${token}` }, body: new Uint8Array() })).resolves.toMatchObject({ sub: KEY_NAME });
    }
    expect(high).toBeGreaterThan(0);
  });

  it("defaults to the guide's form: header { alg, kid, nonce, typ } and claims { sub, iss, nbf, exp, uri } without iat or query", async () => {
    const signer = coinbaseSigner({ keyName: KEY_NAME, privateKey: ecSec1, clock: () => NOW_MS });
    const token = String((await signer.sign({ method: 'GET', url: '/api/v3/brokerage/accounts?limit=3', origin: 'https://api.coinbase.com' }))['Authorization']).slice(7);
    expect(Object.keys(decodeProtectedHeader(token))).toEqual(['alg', 'kid', 'nonce', 'typ']);
    const { payload } = await verifyTheSdkWay(token, ecPkcs8);
    expect(payload).toEqual({ sub: KEY_NAME, iss: 'cdp', nbf: NOW, exp: NOW + 120, uri: 'GET api.coinbase.com/api/v3/brokerage/accounts' });
  });

  it('refuses a request without origin (the host is part of the token) unless given a host, and a key CDP never issues', async () => {
    const signer = coinbaseSigner({ keyName: KEY_NAME, privateKey: edSecret });
    await expect(signer.sign({ method: 'GET', url: '/x' })).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' });
    const withHost = coinbaseSigner({ keyName: KEY_NAME, privateKey: edSecret, host: 'api.coinbase.com', clock: () => NOW_MS });
    const token = String((await withHost.sign({ method: 'GET', url: '/x' }))['Authorization']).slice(7);
    expect((await verifyTheSdkWay(token, edSecret)).payload['uri']).toBe('GET api.coinbase.com/x');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(() => coinbaseSigner({ keyName: KEY_NAME, privateKey: rsa })).toThrow(SignetError);
    const corrupt = Buffer.from(edSecret, 'base64');
    corrupt[40] = (corrupt[40] as number) ^ 1;
    expect(() => coinbaseSigner({ keyName: KEY_NAME, privateKey: corrupt.toString('base64') })).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }));
  });
});

describe('coinbaseSigner on the wire, checked by coinbaseVerifier and by jose', () => {
  let server: VerifyingServer;
  const verifier = coinbaseVerifier({ publicKey: ed.publicKey, replay: memoryReplayStore() });
  beforeAll(async () => {
    server = await startVerifyingServer(async (request) => {
      const token = String(request.headers['authorization']).slice(7);
      const { payload } = await jwtVerify(token, ed.publicKey, { algorithms: ['EdDSA'], issuer: 'cdp', subject: KEY_NAME });
      expect(payload['uri']).toBe(`${request.method} ${String(request.headers['host'])}${request.url.split('?')[0]}`);
      return verifier.verify(request);
    });
  });
  afterAll(() => server.close());
  const signer = coinbaseSigner({ keyName: KEY_NAME, privateKey: edSecret });

  it('through createSignedAxios and createSignedFetch, every URL and body shape; each token once', async () => {
    const api = createSignedAxios(signer, { baseURL: server.origin });
    const signedFetch = createSignedFetch(signer, { baseURL: server.origin });
    const urls = ['/api/v3/brokerage/accounts', '/api/v3/brokerage/orders/historical/batch?order_status=OPEN&limit=2', '/x/%E4%B8%96%20y?q=a%2Bb'];
    for (const url of urls) {
      await api.get(url);
      await signedFetch(url);
    }
    for (const c of binaryCases) await api.post('/api/v3/brokerage/orders', c.body(), { headers: { 'content-type': 'application/octet-stream' } });
    for (const c of stringCases) await signedFetch('/api/v3/brokerage/orders', { method: 'POST', body: c.body });
    expect(server.checked).toHaveLength(urls.length * 2 + binaryCases.length + stringCases.length);
    expect(server.checked.filter((checked) => checked.error !== undefined).map((checked) => `${checked.method} ${checked.url}: ${String(checked.error)}`)).toEqual([]);
  });

  it('coinbaseVerifier refuses a token for another host, a replayed nonce, and kid differing from sub', async () => {
    const at = (host: string) => coinbaseSigner({ keyName: KEY_NAME, privateKey: edSecret, host, nonce: () => 'fixed-nonce' });
    const token = String((await at('127.0.0.1').sign({ method: 'GET', url: '/a' }))['Authorization']);
    const request = { method: 'GET', url: '/a', headers: { authorization: token, host: 'evil.example' }, body: new Uint8Array() };
    await expect(verifier.verify(request)).rejects.toMatchObject({ code: 'ERR_URI_MISMATCH' });
    await expect(verifier.verify({ ...request, headers: { ...request.headers, host: '127.0.0.1' } })).resolves.toMatchObject({ sub: KEY_NAME });
    await expect(verifier.verify({ ...request, headers: { ...request.headers, host: '127.0.0.1' } })).rejects.toMatchObject({ code: 'ERR_TOKEN_REPLAYED' });
  });
});
