import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { flattenedVerify } from 'jose';
import * as tlSigning from 'truelayer-signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trueLayerSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { trueLayerVerifier } from '@signet/verify';
import { binaryCases, stringCases } from '@signet/test-support';
import { type VerifyingServer, startVerifyingServer } from '../../support/verifying-server.js';

// TrueLayer's shared test resources (github.com/TrueLayer/truelayer-signing, test-resources/, commit 87a6930): the
// public key and the static Tl-Signature every implementation of theirs must verify.
const PUBLISHED_KEY = readFileSync(new URL('./__fixtures__/tl-ec512-public.pem', import.meta.url), 'utf8');
const PUBLISHED_SIGNATURE = readFileSync(new URL('./__fixtures__/tl-signature.txt', import.meta.url), 'utf8').trim();
const PUBLISHED = {
  path: '/merchant_accounts/a61acaef-ee05-4077-92f3-25543a11bd8d/sweeping',
  idempotencyKey: 'idemp-2076717c-9005-4811-a321-9e0787fa0382',
  body: '{"currency":"GBP","max_amount_in_minor":5000000,"name":"Foo???"}',
};
const P521_ORDER = 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n;

// Keys generated at test time, as TrueLayer's guide makes them (`openssl ecparam -name secp521r1`).
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
const privateKeyPem = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const KID = '45fc75cf-5649-4134-84b3-192c2c78e990';
const IDEMPOTENCY_KEY = '619410b3-b00c-406e-bb1b-2982f97edb8b';

const isUtf8 = (bytes: Buffer): boolean => Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);

/** The detached payload rebuilt by hand from TrueLayer's specification, for jose: METHOD path\n, Name: value\n, body. */
function specPayload(method: string, path: string, headers: Array<[string, string]>, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${method} ${path}\n${headers.map(([name, value]) => `${name}: ${value}\n`).join('')}`), body]);
}

async function joseVerify(tlSignature: string, payload: Uint8Array, key = publicKey) {
  const [protectedHeader, , signature] = tlSignature.split('.');
  return flattenedVerify({ protected: protectedHeader as string, payload: Buffer.from(payload).toString('base64url'), signature: signature as string }, key, { algorithms: ['ES512'] });
}

describe("TrueLayer's published test signature", () => {
  const verifier = trueLayerVerifier({ publicKey: PUBLISHED_KEY });
  const request = {
    method: 'POST',
    url: PUBLISHED.path,
    headers: { 'tl-signature': PUBLISHED_SIGNATURE, 'idempotency-key': PUBLISHED.idempotencyKey, 'x-whatever-2': 'foaulrsjth' },
    body: Buffer.from(PUBLISHED.body),
  };

  it('verifies with trueLayerVerifier, and with truelayer-signing (the fixture is what TrueLayer publishes)', async () => {
    tlSigning.verify({
      publicKeyPem: PUBLISHED_KEY,
      signature: PUBLISHED_SIGNATURE,
      method: 'POST' as tlSigning.HttpMethod,
      path: PUBLISHED.path,
      body: PUBLISHED.body,
      headers: { 'Idempotency-Key': PUBLISHED.idempotencyKey },
    });
    await expect(verifier.verify(request)).resolves.toMatchObject({ sub: '45fc75cf-5649-4134-84b3-192c2c78e990', headers: ['Idempotency-Key'] });
  });

  it('is refused for another body, path, method, idempotency key, or with a query added', async () => {
    await expect(verifier.verify({ ...request, body: Buffer.from(PUBLISHED.body.replace('Foo', 'Bar')) })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    await expect(verifier.verify({ ...request, url: '/merchant_accounts/123/sweeping' })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    await expect(verifier.verify({ ...request, url: `${PUBLISHED.path}?x=1` })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    await expect(verifier.verify({ ...request, method: 'DELETE' })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    await expect(verifier.verify({ ...request, headers: { ...request.headers, 'idempotency-key': 'other' } })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
  });
});

describe('trueLayerSigner against the specification and truelayer-signing', () => {
  const signer = trueLayerSigner({ keyId: KID, privateKey: privateKeyPem });

  it("signs the specification's example payload, byte for byte (checked by jose over the spec's own text)", async () => {
    const body = '{"currency":"GBP","amount_in_minor":100}';
    const { 'Tl-Signature': tlSignature } = await signer.sign({ method: 'post', url: '/payouts', headers: { 'idempotency-key': IDEMPOTENCY_KEY }, body: Buffer.from(body) });
    const spec = `POST /payouts\nIdempotency-Key: ${IDEMPOTENCY_KEY}\n${body}`;
    const { protectedHeader } = await joseVerify(String(tlSignature), Buffer.from(spec));
    expect(protectedHeader).toEqual({ alg: 'ES512', kid: KID, tl_version: '2', tl_headers: 'Idempotency-Key' });
    expect(String(tlSignature)).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]{176}$/);
    tlSigning.verify({
      publicKeyPem,
      signature: String(tlSignature),
      method: 'POST' as tlSigning.HttpMethod,
      path: '/payouts',
      body,
      requiredHeaders: ['Idempotency-Key'],
      headers: { 'Idempotency-Key': IDEMPOTENCY_KEY },
    });
  });

  it('covers the chosen headers in the order and casing given, and refuses a request that lacks one', async () => {
    const two = trueLayerSigner({ keyId: KID, privateKey, headers: ['X-Tl-Webhook-Timestamp', 'Idempotency-Key'] });
    const headers = { 'Idempotency-Key': IDEMPOTENCY_KEY, 'x-tl-webhook-timestamp': '2021-11-29T11:42:55Z' };
    const { 'Tl-Signature': tlSignature } = await two.sign({ method: 'POST', url: '/tl-webhook', headers, body: Buffer.from('{}') });
    const { protectedHeader } = await joseVerify(
      String(tlSignature),
      specPayload(
        'POST',
        '/tl-webhook',
        [
          ['X-Tl-Webhook-Timestamp', '2021-11-29T11:42:55Z'],
          ['Idempotency-Key', IDEMPOTENCY_KEY],
        ],
        Buffer.from('{}'),
      ),
    );
    expect(protectedHeader?.['tl_headers']).toBe('X-Tl-Webhook-Timestamp,Idempotency-Key');
    await expect(signer.sign({ method: 'POST', url: '/payouts', headers: {}, body: Buffer.from('{}') })).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' });
    expect(() => trueLayerSigner({ keyId: KID, privateKey: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey })).toThrow(expect.objectContaining({ code: 'ERR_KEY_TYPE' }));
    expect(() => trueLayerSigner({ keyId: KID, privateKey, headers: ['Idempotency-Key', 'idempotency-key'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});

describe('trueLayerVerifier against signatures truelayer-signing produces', () => {
  const verifier = trueLayerVerifier({ keyForKeyId: (kid) => (kid === KID ? publicKeyPem : undefined) });

  it('accepts them whatever their S (node-jws leaves about half high-S), for the request they sign only', async () => {
    let high = 0;
    for (let i = 0; i < 40 && high < 3; i++) {
      const body = `{"amount_in_minor":${i}}`;
      const signature = tlSigning.sign({ kid: KID, privateKeyPem, method: 'POST' as tlSigning.HttpMethod, path: '/v3/payments', headers: { 'Idempotency-Key': `${IDEMPOTENCY_KEY}-${i}` }, body });
      const s = Buffer.from(signature.split('.')[2] as string, 'base64url').subarray(66);
      if (BigInt(`0x${s.toString('hex')}`) > P521_ORDER >> 1n) high += 1;
      const request = { method: 'POST', url: '/v3/payments', headers: { 'tl-signature': signature, 'idempotency-key': `${IDEMPOTENCY_KEY}-${i}` }, body: Buffer.from(body) };
      await expect(verifier.verify(request)).resolves.toMatchObject({ sub: KID });
      await expect(verifier.verify({ ...request, body: Buffer.from(`${body} `) })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    }
    expect(high).toBeGreaterThan(0);
  });

  it('refuses a signature that does not cover Idempotency-Key, an unknown kid, another alg, and a replay option', async () => {
    const bare = tlSigning.sign({ kid: KID, privateKeyPem, method: 'POST' as tlSigning.HttpMethod, path: '/v3/payments', body: '{}' });
    const request = { method: 'POST', url: '/v3/payments', headers: { 'tl-signature': bare }, body: Buffer.from('{}') };
    await expect(verifier.verify(request)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_COVERAGE' });
    await expect(trueLayerVerifier({ publicKey: publicKeyPem, requiredHeaders: [] }).verify(request)).resolves.toMatchObject({ sub: KID, headers: [] });
    const stranger = tlSigning.sign({ kid: 'someone-else', privateKeyPem, method: 'POST' as tlSigning.HttpMethod, path: '/v3/payments', headers: { 'Idempotency-Key': 'k' }, body: '{}' });
    await expect(verifier.verify({ ...request, headers: { 'tl-signature': stranger, 'idempotency-key': 'k' } })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' }); // an unknown kid answers as a bad signature
    const [, , signature] = bare.split('.');
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS512', kid: KID, tl_version: '2', tl_headers: '' })).toString('base64url')}..${signature}`;
    await expect(trueLayerVerifier({ publicKey: publicKeyPem, requiredHeaders: [] }).verify({ ...request, headers: { 'tl-signature': hs } })).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
    expect(() => trueLayerVerifier({ publicKey: publicKeyPem, replay: {} } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});

describe('trueLayerSigner on the wire, checked by truelayer-signing (jose for bodies that are not UTF-8) and trueLayerVerifier', () => {
  let server: VerifyingServer;
  const verifier = trueLayerVerifier({ publicKey });
  beforeAll(async () => {
    server = await startVerifyingServer(async (request) => {
      const signature = String(request.headers['tl-signature']);
      const idempotencyKey = String(request.headers['idempotency-key']);
      if (isUtf8(request.body)) {
        // TrueLayer's library takes the body as a string and the path as given: here the request target received.
        tlSigning.verify({
          publicKeyPem,
          signature,
          method: request.method as tlSigning.HttpMethod,
          path: request.url,
          body: request.body.toString('utf8'),
          requiredHeaders: ['Idempotency-Key'],
          headers: request.headers as Record<string, string>,
        });
      } else {
        await joseVerify(signature, specPayload(request.method, request.url, [['Idempotency-Key', idempotencyKey]], request.body));
      }
      return verifier.verify(request);
    });
  });
  afterAll(() => server.close());
  const signer = trueLayerSigner({ keyId: KID, privateKey });

  it('through createSignedAxios and createSignedFetch, every URL and body shape, with an Idempotency-Key on each', async () => {
    const api = createSignedAxios(signer, { baseURL: server.origin });
    const signedFetch = createSignedFetch(signer, { baseURL: server.origin });
    const key = (i: number) => ({ 'Idempotency-Key': `${IDEMPOTENCY_KEY}-${i}` });
    const urls = ['/v3/payments', '/v3/payouts/', '/v3/merchant-accounts?currency=GBP&limit=2', '/x/%E4%B8%96%20y?q=a%2Bb'];
    let i = 0;
    for (const url of urls) {
      await api.delete(url, { headers: key(i++) });
      await signedFetch(url, { method: 'DELETE', headers: key(i++) });
    }
    expect(server.checked.filter((checked) => checked.error !== undefined).map((checked) => `${checked.method} ${checked.url}: ${String(checked.error)}`)).toEqual([]);
    for (const c of binaryCases) await api.post('/v3/payments', c.body(), { headers: { 'content-type': 'application/octet-stream', ...key(i++) } });
    for (const c of stringCases) {
      await signedFetch('/v3/payments', { method: 'POST', body: c.body, headers: key(i++) });
      await api.post('/v3/payments', c.body, { headers: { 'content-type': c.contentType ?? 'text/plain', ...key(i++) } });
    }
    expect(server.checked).toHaveLength(urls.length * 2 + binaryCases.length + stringCases.length * 2);
    expect(server.checked.filter((checked) => checked.error !== undefined).map((checked) => `${checked.method} ${checked.url}: ${String(checked.error)}`)).toEqual([]);
    // Both independent routes were exercised.
    expect(server.checked.filter((checked) => !isUtf8(checked.body)).length).toBeGreaterThan(0);
  });
});
