import { Buffer } from 'node:buffer';
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { portOneSigner, twoCheckoutSigner } from '@signet/core';
import { portOneVerifier, twoCheckoutVerifier } from '@signet/verify';
import type { VerifiableRequest } from '@signet/verify';
import { NOW, clockAt, expectRejected, mint } from './support/tokens.js';

const CLIENT_KEY = 'SglffyyZgojEdXWL';
const PORTONE_SECRET = 'portone-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const MERCHANT = 'MERCH_CODE_1234';
const SECRET_WORD = 'buy-link-secret-word-with-enough-entropy';
const STATUS_URL = '/api/transaction/order-42/status';
const clock = clockAt(NOW);

function get(headers: Record<string, string>): VerifiableRequest {
  return { method: 'GET', url: STATUS_URL, headers, body: new Uint8Array(0) };
}

describe('PortOne tokens', () => {
  it('a token from portOneSigner verifies and returns exactly its claims', async () => {
    const headers = await portOneSigner({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock }).sign({ method: 'GET', url: STATUS_URL });
    const claims = await portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock }).verify(get(headers));
    expect(claims).toEqual({ iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 });
  });

  it("a token minted with jsonwebtoken as in PortOne's samples verifies, with the headers in lowercase", async () => {
    const token = jwt.sign({ iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 }, PORTONE_SECRET, { algorithm: 'HS256' });
    const verifier = portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock });
    expect((await verifier.verify(get({ authorization: `Bearer ${token}`, 'x-portone-client-key': CLIENT_KEY }))).sub).toBe(CLIENT_KEY);
  });

  it.each([
    ['a Buffer', () => Buffer.from(PORTONE_SECRET)],
    ['a secret KeyObject', () => createSecretKey(Buffer.from(PORTONE_SECRET))],
  ])('the secret key may be given as %s', async (_name, secretKey) => {
    const headers = await portOneSigner({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock }).sign({ method: 'GET', url: STATUS_URL });
    expect((await portOneVerifier({ clientKey: CLIENT_KEY, secretKey: secretKey(), clock }).verify(get(headers))).iss).toBe('PORTONE');
  });

  it('issuers [PORTONE, CHAIPAY] accepts tokens of both issuers', async () => {
    const verifier = portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock, issuers: ['PORTONE', 'CHAIPAY'] });
    for (const issuer of ['PORTONE', 'CHAIPAY']) {
      const headers = await portOneSigner({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock, issuer }).sign({ method: 'GET', url: STATUS_URL });
      expect((await verifier.verify(get(headers))).iss).toBe(issuer);
    }
  });

  it('by default only PORTONE is accepted: a CHAIPAY token is ERR_CLAIM_INVALID', async () => {
    const headers = await portOneSigner({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock, issuer: 'CHAIPAY' }).sign({ method: 'GET', url: STATUS_URL });
    await expectRejected(portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock }), get(headers), 'ERR_CLAIM_INVALID');
  });

  it.each([
    ['another issuer', { iss: 'portone' }],
    ['no issuer', { iss: undefined }],
    ['a non-string issuer', { iss: ['PORTONE'] }],
  ])('a validly signed token with %s is ERR_CLAIM_INVALID', async (_name, override) => {
    const token = mint('HS256', PORTONE_SECRET, { sub: CLIENT_KEY, iat: NOW, exp: NOW + 100, ...override });
    const verifier = portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock, issuers: ['PORTONE', 'CHAIPAY'] });
    await expectRejected(verifier, get({ Authorization: `Bearer ${token}`, 'X-Portone-Client-Key': CLIENT_KEY }), 'ERR_CLAIM_INVALID');
  });

  it('clientKeys accepts each listed key with its own header and refuses an unlisted one', async () => {
    const verifier = portOneVerifier({ clientKeys: ['client-a', 'client-b'], secretKey: PORTONE_SECRET, clock });
    for (const clientKey of ['client-a', 'client-b']) {
      const headers = await portOneSigner({ clientKey, secretKey: PORTONE_SECRET, clock }).sign({ method: 'GET', url: STATUS_URL });
      expect((await verifier.verify(get(headers))).sub).toBe(clientKey);
    }
    const headers = await portOneSigner({ clientKey: 'client-c', secretKey: PORTONE_SECRET, clock }).sign({ method: 'GET', url: STATUS_URL });
    await expectRejected(verifier, get(headers), 'ERR_CLIENT_KEY_MISMATCH');
  });

  it('a token that lives 100 seconds is accepted and one of 101 is ERR_TOKEN_LIFETIME', async () => {
    const verifier = portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock });
    const headersFor = (lifetime: number): Record<string, string> => ({
      Authorization: `Bearer ${mint('HS256', PORTONE_SECRET, { iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + lifetime })}`,
      'X-Portone-Client-Key': CLIENT_KEY,
    });
    expect((await verifier.verify(get(headersFor(100)))).exp).toBe(NOW + 100);
    await expectRejected(verifier, get(headersFor(101)), 'ERR_TOKEN_LIFETIME');
  });
});

describe('2Checkout tokens', () => {
  const verifierAt = (seconds: number, clockToleranceSeconds?: number): ReturnType<typeof twoCheckoutVerifier> =>
    twoCheckoutVerifier({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock: clockAt(seconds), ...(clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds }) });

  it('a token from twoCheckoutSigner verifies and returns exactly its claims', async () => {
    const headers = await twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock }).sign({ method: 'POST', url: '/checkout/api/encrypt/generate/signature' });
    expect(await verifierAt(NOW).verify({ method: 'POST', url: '/checkout/api/encrypt/generate/signature', headers, body: new Uint8Array(0) })).toEqual({ sub: MERCHANT, iat: NOW, exp: NOW + 1800 });
  });

  it('an HS512 token minted with jsonwebtoken verifies', async () => {
    const token = jwt.sign({ sub: MERCHANT, iat: NOW, exp: NOW + 600 }, SECRET_WORD, { algorithm: 'HS512' });
    expect((await verifierAt(NOW).verify(get({ 'merchant-token': token }))).exp).toBe(NOW + 600);
  });

  it('a token without exp is accepted until iat + 1800 (plus the 5 s tolerance) and refused after', async () => {
    const headers = await twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock, expiresInSeconds: false }).sign({ method: 'POST', url: '/x' });
    const token = headers['merchant-token'] as string;
    expect(JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())).toEqual({ sub: MERCHANT, iat: NOW });
    expect((await verifierAt(NOW + 1799).verify(get(headers))).sub).toBe(MERCHANT);
    expect((await verifierAt(NOW + 1804).verify(get(headers))).sub).toBe(MERCHANT);
    await expectRejected(verifierAt(NOW + 1805), get(headers), 'ERR_TOKEN_EXPIRED');
    await expectRejected(verifierAt(NOW + 3600), get(headers), 'ERR_TOKEN_EXPIRED');
  });

  it('without tolerance, a token without exp is accepted at iat + 1799 and expired at iat + 1800', async () => {
    const token = mint('HS512', SECRET_WORD, { sub: MERCHANT, iat: NOW });
    expect((await verifierAt(NOW + 1799, 0).verify(get({ 'merchant-token': token }))).iat).toBe(NOW);
    await expectRejected(verifierAt(NOW + 1800, 0), get({ 'merchant-token': token }), 'ERR_TOKEN_EXPIRED');
  });

  it('an explicit exp beyond 30 minutes is ERR_TOKEN_LIFETIME', async () => {
    const token = mint('HS512', SECRET_WORD, { sub: MERCHANT, iat: NOW, exp: NOW + 1801 });
    await expectRejected(verifierAt(NOW), get({ 'merchant-token': token }), 'ERR_TOKEN_LIFETIME');
  });
});
