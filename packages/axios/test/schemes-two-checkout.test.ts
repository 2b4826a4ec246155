import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isAxiosError } from 'axios';
import jwt from 'jsonwebtoken';
import type { JwtPayload } from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { SignetError, twoCheckoutSigner } from '@signet/core';
import type { SignetErrorCode, TwoCheckoutSignerOptions } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { type TwoCheckoutSignatureRequest, generateTwoCheckoutSignature } from '@signet/axios/providers/2checkout';
import { type Received, type RecordingServer, rejection, startServer } from '@signet/test-support';

const MERCHANT = 'MERCH_CODE';
const SECRET_WORD = 'buy-link-secret-word-7Fq2';
const NOW_MS = 1_580_912_768_400; // document 003's sample iat, part-way into the second
const NOW = 1_580_912_768;
const SIGNATURE_PATH = '/checkout/api/encrypt/generate/signature';

type Answer = { status?: number; body?: unknown; headers?: Record<string, string> };

const servers: RecordingServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.close();
});

async function serve(respond?: (received: Received) => Answer): Promise<RecordingServer> {
  const server = await startServer(respond);
  servers.push(server);
  return server;
}

async function signedApi(options: Partial<TwoCheckoutSignerOptions> = {}, respond?: (received: Received) => Answer) {
  const server = await serve(respond);
  const api = createSignedAxios(twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: SECRET_WORD, ...options }), { baseURL: server.origin });
  return { api, received: server.received };
}

function only(received: Received[]): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

/** The received merchant-token, verified by jsonwebtoken (HS512) with the secret word. */
function verifiedMerchantToken(received: Received, now?: number): { header: object; claims: JwtPayload; token: string } {
  const token = String(received.headers['merchant-token']);
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const decoded = jwt.verify(token, SECRET_WORD, { algorithms: ['HS512'], complete: true, ...(now === undefined ? {} : { clockTimestamp: now }) });
  return { header: decoded.header, claims: decoded.payload as JwtPayload, token };
}

async function rejectedWith(promise: Promise<unknown>, code: SignetErrorCode): Promise<SignetError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(SignetError);
  expect((error as SignetError).code).toBe(code);
  return error as SignetError;
}

describe('the 2Checkout merchant token, as a real server receives it', () => {
  it('is an HS512 JWT {sub, iat, exp: iat + 1800} in the merchant-token header, not in Authorization', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { api, received } = await signedApi();
    await api.get('/checkout/api/ping');
    const after = Math.floor(Date.now() / 1000);

    const request = only(received);
    expect(request.headers['authorization']).toBeUndefined();
    const { header, claims } = verifiedMerchantToken(request);
    expect(header).toStrictEqual({ alg: 'HS512', typ: 'JWT' });
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'sub']);
    expect(claims.sub).toBe(MERCHANT);
    expect(Number.isInteger(claims.iat)).toBe(true);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(after);
    expect(claims.exp).toBe((claims.iat as number) + 1800);
  });

  it('uses expiresInSeconds: 900 for exp', async () => {
    const { api, received } = await signedApi({ expiresInSeconds: 900, clock: () => NOW_MS });
    await api.get('/checkout/api/ping');
    const request = only(received);
    expect(verifiedMerchantToken(request, NOW + 899).claims).toStrictEqual({ sub: MERCHANT, iat: NOW, exp: NOW + 900 });
    expect(() => verifiedMerchantToken(request, NOW + 900)).toThrow(jwt.TokenExpiredError);
  });

  it('leaves exp out with expiresInSeconds: false, so that 2Checkout applies its own 30 minutes', async () => {
    const { api, received } = await signedApi({ expiresInSeconds: false, clock: () => NOW_MS });
    await api.get('/checkout/api/ping');
    const { claims } = verifiedMerchantToken(only(received), NOW);
    expect(claims).toStrictEqual({ sub: MERCHANT, iat: NOW });
  });

  it.each([
    ['by default', {}, { sub: MERCHANT, iat: NOW, exp: NOW + 1800 }],
    ['with expiresInSeconds: false', { expiresInSeconds: false as const }, { sub: MERCHANT, iat: NOW }],
  ])('is exactly the token jsonwebtoken makes for the same claims with a fixed clock, %s', async (_when, options, claims) => {
    const { api, received } = await signedApi({ ...options, clock: () => NOW_MS });
    await api.get('/checkout/api/ping');
    // jsonwebtoken keeps a given iat as it is (its noTimestamp option would delete it).
    const expected = jwt.sign(claims, SECRET_WORD, { algorithm: 'HS512' });
    expect(jwt.decode(expected)).toStrictEqual(claims);
    expect(only(received).headers['merchant-token']).toBe(expected);
  });

  it("matches document 003's recipe, HMACSHA512(base64url(header) + '.' + base64url(payload)), computed by openssl", async () => {
    const { api, received } = await signedApi({ clock: () => NOW_MS });
    await api.get('/checkout/api/ping');
    const encode = (json: string): string => Buffer.from(json, 'utf8').toString('base64url');
    const signingInput = `${encode('{"alg":"HS512","typ":"JWT"}')}.${encode(`{"sub":"${MERCHANT}","iat":${NOW},"exp":${NOW + 1800}}`)}`;
    const mac = execFileSync('openssl', ['dgst', '-sha512', '-hmac', SECRET_WORD, '-binary'], { input: signingInput });
    expect(mac).toHaveLength(64);
    expect(only(received).headers['merchant-token']).toBe(`${signingInput}.${mac.toString('base64url')}`);
  });
});

describe('generateTwoCheckoutSignature against a local stand-in for 2Checkout', () => {
  const parameters: TwoCheckoutSignatureRequest = { merchant: MERCHANT, prod: 'Pro plan – 年', price: 49.99, currency: 'USD', qty: 2, 'return-url': 'https://shop.example/ok?a=1&b=2' };
  // The stand-in derives the signature from the bytes it received, so the test can tell it came from this request.
  const standIn = (received: Received): Answer =>
    received.method === 'POST' && received.url === SIGNATURE_PATH ? { body: { signature: createHash('sha256').update(received.body).digest('hex') } } : { status: 404, body: { error: 'not found' } };

  it('POSTs the merchant and the parameters as JSON with a verifiable merchant-token, and returns the signature', async () => {
    const { api, received } = await signedApi({}, standIn);
    const result = await generateTwoCheckoutSignature(api, parameters);

    const request = only(received);
    expect(request.method).toBe('POST');
    expect(request.url).toBe(SIGNATURE_PATH);
    expect(String(request.headers['content-type'])).toMatch(/^application\/json/);
    expect(String(request.headers['accept'])).toContain('application/json');
    expect(JSON.parse(request.body.toString('utf8'))).toStrictEqual(parameters);
    const { claims } = verifiedMerchantToken(request);
    expect(claims.sub).toBe(MERCHANT);
    expect(claims.exp).toBe((claims.iat as number) + 1800);
    expect(result).toStrictEqual({ signature: createHash('sha256').update(request.body).digest('hex') });
  });

  it('sends to the url option when one is given', async () => {
    const { api, received } = await signedApi({}, () => ({ body: { signature: 'sig-custom' } }));
    await expect(generateTwoCheckoutSignature(api, parameters, { url: '/custom/signature' })).resolves.toStrictEqual({ signature: 'sig-custom' });
    expect(only(received).url).toBe('/custom/signature');
  });

  it.each([
    ['an empty object', { body: {} }],
    ['a 200 with text', { body: 'signature service is warming up', headers: { 'content-type': 'text/plain' } }],
    ['an empty 200', { body: undefined }],
    ['JSON null', { body: null }],
    ['a numeric signature', { body: { signature: 42 } }],
    ['an empty signature', { body: { signature: '' } }],
    ['the signature nested elsewhere', { body: { data: { signature: 'abc' } } }],
  ] as Array<[string, Answer]>)('rejects with ERR_PROVIDER_RESPONSE when 2Checkout answers %s', async (_what, answer) => {
    const { api, received } = await signedApi({}, () => answer);
    await rejectedWith(generateTwoCheckoutSignature(api, parameters), 'ERR_PROVIDER_RESPONSE');
    expect(only(received).url).toBe(SIGNATURE_PATH);
  });

  it.each([
    ['without merchant', { prod: 'Pro plan', price: 10, currency: 'USD' }],
    ['with an empty merchant', { merchant: '', prod: 'Pro plan', price: 10, currency: 'USD' }],
    ['with a numeric merchant', { merchant: 1234, prod: 'Pro plan' }],
    ['that are null', null],
  ])('refuses parameters %s with ERR_INVALID_OPTION, sending nothing', async (_what, request) => {
    const { api, received } = await signedApi({}, standIn);
    await rejectedWith(generateTwoCheckoutSignature(api, request as unknown as TwoCheckoutSignatureRequest), 'ERR_INVALID_OPTION');
    expect(received).toHaveLength(0);
  });

  it("rejects with axios's own error when 2Checkout answers 401", async () => {
    const { api, received } = await signedApi({}, () => ({ status: 401, body: { error_code: 'UNAUTHORIZED', message: 'Invalid merchant token' } }));
    const error = await rejection(generateTwoCheckoutSignature(api, parameters));
    expect(isAxiosError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(SignetError);
    if (!isAxiosError(error)) return;
    expect(error.response?.status).toBe(401);
    expect(error.response?.data).toStrictEqual({ error_code: 'UNAUTHORIZED', message: 'Invalid merchant token' });
    expect(only(received).url).toBe(SIGNATURE_PATH);
  });
});
