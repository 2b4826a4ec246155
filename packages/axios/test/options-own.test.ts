import { Readable } from 'node:stream';
import axios from 'axios';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSigner, twoCheckoutSigner } from '@signet/core';
import { type SignedAxiosOptions, attachSigner, createSignedAxios } from '@signet/axios';
import { generateTwoCheckoutSignature } from '@signet/axios/providers/2checkout';
import { credentialsIn, expectCode, expectSignedForWire, expectUntouched, type OtherHost, type RecordingServer, rejection, schemesFor, startOtherHost, startServer, testKeys } from '@signet/test-support';

// Prototype pollution puts properties on Object.prototype that every plain object then appears to have. With
// `Object.prototype.allowedOrigins = ['https://evil.example']`, createSignedAxios used to send credentials to evil.
// Every Signet option, and the instance's baseURL, is read as an own property only.

const [scheme] = schemesFor('options-own');
if (scheme === undefined) throw new Error('no scheme');
const keys = testKeys().rsa;
const FIXED_MS = 1_700_000_000_000;

const polluted = new Set<string>();
function pollute(name: string, value: unknown): void {
  polluted.add(name);
  Object.defineProperty(Object.prototype, name, { value, configurable: true, enumerable: false, writable: true });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const name of polluted) delete (Object.prototype as Record<string, unknown>)[name];
  polluted.clear();
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function listeners(respond?: Parameters<typeof startServer>[0]): Promise<{ api: RecordingServer; other: OtherHost }> {
  const api = await startServer(respond);
  cleanups.push(() => api.close());
  const other = await startOtherHost();
  cleanups.push(() => other.close());
  return { api, other };
}

describe('an inherited allowedOrigins or baseURL never lets credentials out', () => {
  it('createSignedAxios: Object.prototype.allowedOrigins = [other] still refuses other with ERR_ORIGIN_NOT_ALLOWED, and other receives no credentials', async () => {
    const { api, other } = await listeners();
    pollute('allowedOrigins', [other.origin]);
    const signed = createSignedAxios(scheme.signer, { baseURL: api.origin });

    expectCode(await rejection(signed.get(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    await signed.get('/own');
    scheme.expectSigned(api.received[0]!);
  });

  it('attachSigner: Object.prototype.allowedOrigins = [other] still refuses other, and other receives no credentials', async () => {
    const { api, other } = await listeners();
    pollute('allowedOrigins', [other.origin]);
    const instance = axios.create({ baseURL: api.origin });
    attachSigner(instance, scheme.signer);

    expectCode(await rejection(instance.get(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
  });

  // axios's own defaults have no prototype, so this held before too; it guards the promise against a change there.
  it('Object.prototype.baseURL = other is not pinned: a request to other is refused with ERR_ORIGIN_NOT_ALLOWED, and other receives no credentials', async () => {
    const { api, other } = await listeners();
    pollute('baseURL', other.origin);
    const signed = createSignedAxios(scheme.signer, undefined, { allowedOrigins: [api.origin] });

    expectCode(await rejection(signed.get(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');
    // A relative url, which axios itself resolves against the inherited baseURL, is refused as the README says of
    // a relative url without a baseURL.
    expectCode(await rejection(signed.get('/steal')), 'ERR_INVALID_URL');

    expect(credentialsIn(other.received)).toBe(0);
    expectUntouched(other);
  });

  it('Object.prototype.baseURL = other and allowedOrigins = [other] together: no signed client is made at all', async () => {
    const { other } = await listeners();
    pollute('baseURL', other.origin);
    pollute('allowedOrigins', [other.origin]);

    expectCode(await rejection((async () => createSignedAxios(scheme.signer, {} as never))()), 'ERR_INVALID_OPTION');
  });
});

describe('an inherited Signet option changes nothing', () => {
  it('Object.prototype.maxBufferedBodyBytes = 0 does not refuse a stream body', async () => {
    const { api } = await listeners();
    pollute('maxBufferedBodyBytes', 0);
    const signer = requestSigner({ apiKey: 'ak-own', privateKey: keys.privateKey });
    const signed = createSignedAxios(signer, { baseURL: api.origin });

    await signed.post('/upload', Readable.from([Buffer.from('streamed bytes')]), { headers: { 'Content-Type': 'application/octet-stream' } });

    expectSignedForWire(api.received[0]!, { publicKey: keys.publicKey, apiKey: 'ak-own' });
    expect(api.received[0]!.body.toString()).toBe('streamed bytes');
  });

  // The server's clock is 300 s (or 3000 s) ahead of the signer's fixed one; what the second token's iat says is
  // whether the client learned it, which only clockSkew: 'auto' (within maxClockSkewSeconds) may do.
  async function secondIat(skewSeconds: number, options: SignedAxiosOptions | undefined): Promise<number> {
    const { api } = await listeners(() => ({ headers: { Date: new Date(FIXED_MS + skewSeconds * 1000).toUTCString() } }));
    const signer = requestSigner({ apiKey: 'ak-clock', privateKey: keys.privateKey, clock: () => FIXED_MS });
    const signed = createSignedAxios(signer, { baseURL: api.origin }, options);
    await signed.get('/first');
    await signed.get('/second');
    const token = String(api.received[1]!.headers['authorization']).slice('Bearer '.length);
    const claims = jwt.verify(token, keys.publicKey, { algorithms: ['RS256'], clockTimestamp: FIXED_MS / 1000 }) as jwt.JwtPayload;
    return claims.iat as number;
  }

  it("Object.prototype.clockSkew = 'auto' does not make the client sign on the server's clock", async () => {
    pollute('clockSkew', 'auto');
    expect(await secondIat(300, undefined)).toBe(FIXED_MS / 1000);
  });

  it('Object.prototype.maxClockSkewSeconds = 86400 does not widen the skew clockSkew: auto believes', async () => {
    pollute('maxClockSkewSeconds', 86_400);
    expect(await secondIat(3000, { clockSkew: 'auto' })).toBe(FIXED_MS / 1000);
  });
});

describe('generateTwoCheckoutSignature reads its options as own properties only', () => {
  const secretWord = 'two-checkout-secret-word-for-options-own';
  const signer = twoCheckoutSigner({ merchantCode: 'MERCHANT_OWN', secretWord });

  it('an inherited url does not redirect the call', async () => {
    const { api } = await listeners(() => ({ body: { signature: 'sig-own' } }));
    pollute('url', '/polluted');
    const { signature } = await generateTwoCheckoutSignature(createSignedAxios(signer, { baseURL: api.origin }), { merchant: 'MERCHANT_OWN', prod: 'P', price: 1 });

    expect(signature).toBe('sig-own');
    expect(api.received[0]!.url).toBe('/checkout/api/encrypt/generate/signature');
    expect((jwt.verify(String(api.received[0]!.headers['merchant-token']), secretWord, { algorithms: ['HS512'] }) as jwt.JwtPayload).sub).toBe('MERCHANT_OWN');
  });

  it('an inherited config adds no request option', async () => {
    const { api } = await listeners(() => ({ body: { signature: 'sig-own' } }));
    pollute('config', { headers: { 'X-Polluted': 'yes' } });
    await generateTwoCheckoutSignature(createSignedAxios(signer, { baseURL: api.origin }), { merchant: 'MERCHANT_OWN', prod: 'P', price: 1 });

    expect(api.received[0]!.headers['x-polluted']).toBeUndefined();
  });

  it('an inherited merchant does not stand in for a missing one', async () => {
    pollute('merchant', 'MERCHANT_POLLUTED');
    expectCode(await rejection(generateTwoCheckoutSignature(createSignedAxios(signer, { baseURL: 'http://127.0.0.1:9' }), { prod: 'P' } as never)), 'ERR_INVALID_OPTION');
  });
});
