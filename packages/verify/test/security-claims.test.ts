import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { type RequestVerifierOptions, portOneVerifier, requestVerifier } from '@signet/verify';
import { BODY, NOW, URL_PATH, clockAt, expectRejected, expectThrown, mint, requestClaims, requestWith, sha256Hex } from './support/tokens.js';
import { testKeys } from '@signet/test-support';

const rsa = testKeys().rsa;
const clock = clockAt(NOW);
const BODY_HASH = sha256Hex(BODY);
const verifier = requestVerifier({ publicKey: rsa.publicKey, clock });
const tokenWith = (overrides: Record<string, unknown>): string => mint('RS256', rsa.privateKey, requestClaims(overrides));
const withHeader = (header: Record<string, unknown>): string => mint('RS256', rsa.privateKey, requestClaims(), { alg: 'RS256', ...header });
const verifierWith = (options: Partial<RequestVerifierOptions>): ReturnType<typeof requestVerifier> => requestVerifier({ publicKey: rsa.publicKey, clock, ...options });

describe('the typ header', () => {
  it.each([
    ['JWS', 'JWS'],
    ['a number', 123],
    ['at+jwt', 'at+jwt'],
    ['an empty string', ''],
    ['null', null],
    ['a list', ['JWT']],
  ])('typ %s is ERR_TOKEN_TYPE', async (_name, typ) => {
    await expectRejected(verifier, requestWith(withHeader({ typ })), 'ERR_TOKEN_TYPE');
  });

  it.each(['JWT', 'jwt', 'Jwt'])('typ %s is accepted (compared case-insensitively)', async (typ) => {
    expect((await verifier.verify(requestWith(withHeader({ typ })))).sub).toBe(requestClaims().sub as string);
  });
});

describe('the crit header', () => {
  it.each([
    ['["exp"]', ['exp']],
    ['["b64"]', ['b64']],
    ['an unknown extension', ['http://example.com/ext']],
    ['an empty list', []],
    ['a string', 'exp'],
  ])('crit %s in a validly signed token is ERR_TOKEN_CRIT', async (_name, crit) => {
    await expectRejected(verifier, requestWith(withHeader({ typ: 'JWT', crit, exp: NOW + 55 })), 'ERR_TOKEN_CRIT');
  });
});

describe('time claims must be non-negative integers', () => {
  it.each([
    ['iat as a float', { iat: NOW + 0.5 }],
    ['iat as 1.5', { iat: 1.5 }],
    ['exp as a float', { exp: NOW + 54.5 }],
    ['iat as a string', { iat: String(NOW) }],
    ['exp as a string', { exp: String(NOW + 55) }],
    ['iat as "123"', { iat: '123' }],
    ['iat negative', { iat: -1 }],
    ['exp negative', { exp: -1 }],
    ['iat missing', { iat: undefined }],
    ['exp missing', { exp: undefined }],
    ['iat null', { iat: null }],
    ['iat true', { iat: true }],
    ['exp beyond the safe integers', { exp: 2 ** 53 }],
    ['nbf as a float', { nbf: NOW - 0.5 }],
    ['nbf as a string', { nbf: String(NOW) }],
    ['nbf negative', { nbf: -5 }],
  ])('%s is ERR_CLAIM_INVALID', async (_name, overrides) => {
    await expectRejected(verifier, requestWith(tokenWith(overrides)), 'ERR_CLAIM_INVALID');
  });

  it.each([
    ['exp equal to iat', { exp: NOW }],
    ['exp before iat', { iat: NOW, exp: NOW - 1 }],
  ])('%s is ERR_CLAIM_INVALID', async (_name, overrides) => {
    await expectRejected(verifier, requestWith(tokenWith(overrides)), 'ERR_CLAIM_INVALID');
  });
});

describe('expiry, issue time and not-before', () => {
  it('a token expired beyond the default 5 s tolerance is ERR_TOKEN_EXPIRED', async () => {
    await expectRejected(verifier, requestWith(tokenWith({ iat: NOW - 60, exp: NOW - 5 })), 'ERR_TOKEN_EXPIRED');
    await expectRejected(verifier, requestWith(tokenWith({ iat: NOW - 3600, exp: NOW - 3545 })), 'ERR_TOKEN_EXPIRED');
  });

  it('a token expired within the tolerance is accepted', async () => {
    expect((await verifier.verify(requestWith(tokenWith({ iat: NOW - 59, exp: NOW - 4 })))).exp).toBe(NOW - 4);
    expect((await verifier.verify(requestWith(tokenWith({ iat: NOW - 55, exp: NOW })))).exp).toBe(NOW);
  });

  it('iat in the future beyond the tolerance is ERR_TOKEN_FUTURE; within it, accepted', async () => {
    await expectRejected(verifier, requestWith(tokenWith({ iat: NOW + 6, exp: NOW + 61 })), 'ERR_TOKEN_FUTURE');
    await expectRejected(verifier, requestWith(tokenWith({ iat: NOW + 3600, exp: NOW + 3655 })), 'ERR_TOKEN_FUTURE');
    expect((await verifier.verify(requestWith(tokenWith({ iat: NOW + 5, exp: NOW + 60 })))).iat).toBe(NOW + 5);
  });

  it('nbf in the future beyond the tolerance is ERR_TOKEN_FUTURE; nbf now or within it, accepted', async () => {
    await expectRejected(verifier, requestWith(tokenWith({ nbf: NOW + 6 })), 'ERR_TOKEN_FUTURE');
    expect((await verifier.verify(requestWith(tokenWith({ nbf: NOW + 5 })))).nbf).toBe(NOW + 5);
    expect((await verifier.verify(requestWith(tokenWith({ nbf: NOW - 10 })))).nbf).toBe(NOW - 10);
  });

  it('a lifetime of 56 s is ERR_TOKEN_LIFETIME and 55 s is accepted (maxLifetimeSeconds 55)', async () => {
    await expectRejected(verifier, requestWith(tokenWith({ exp: NOW + 56 })), 'ERR_TOKEN_LIFETIME');
    await expectRejected(verifier, requestWith(tokenWith({ exp: NOW + 86_400 })), 'ERR_TOKEN_LIFETIME');
    expect((await verifier.verify(requestWith(tokenWith({ exp: NOW + 55 })))).exp).toBe(NOW + 55);
  });

  it('maxLifetimeSeconds moves the lifetime limit', async () => {
    const longer = verifierWith({ maxLifetimeSeconds: 300 });
    expect((await longer.verify(requestWith(tokenWith({ exp: NOW + 300 })))).exp).toBe(NOW + 300);
    await expectRejected(longer, requestWith(tokenWith({ exp: NOW + 301 })), 'ERR_TOKEN_LIFETIME');
    await expectRejected(verifierWith({ maxLifetimeSeconds: 10 }), requestWith(tokenWith({ exp: NOW + 11 })), 'ERR_TOKEN_LIFETIME');
  });

  it('clockToleranceSeconds 0 expires a token at exp and refuses an iat one second ahead', async () => {
    const strict = verifierWith({ clockToleranceSeconds: 0 });
    await expectRejected(strict, requestWith(tokenWith({ iat: NOW - 55, exp: NOW })), 'ERR_TOKEN_EXPIRED');
    expect((await strict.verify(requestWith(tokenWith({ iat: NOW - 54, exp: NOW + 1 })))).exp).toBe(NOW + 1);
    await expectRejected(strict, requestWith(tokenWith({ iat: NOW + 1, exp: NOW + 56 })), 'ERR_TOKEN_FUTURE');
    expect((await strict.verify(requestWith(tokenWith({ iat: NOW })))).iat).toBe(NOW);
  });

  it('clockToleranceSeconds 30 widens both edges to 30 s', async () => {
    const lenient = verifierWith({ clockToleranceSeconds: 30 });
    expect((await lenient.verify(requestWith(tokenWith({ iat: NOW - 84, exp: NOW - 29 })))).exp).toBe(NOW - 29);
    await expectRejected(lenient, requestWith(tokenWith({ iat: NOW - 85, exp: NOW - 30 })), 'ERR_TOKEN_EXPIRED');
    expect((await lenient.verify(requestWith(tokenWith({ iat: NOW + 30, exp: NOW + 85 })))).iat).toBe(NOW + 30);
    await expectRejected(lenient, requestWith(tokenWith({ iat: NOW + 31, exp: NOW + 86 })), 'ERR_TOKEN_FUTURE');
  });

  it.each([-1, 1.5, 601, Number.NaN])('clockToleranceSeconds %s is ERR_INVALID_OPTION', (clockToleranceSeconds) => {
    expectThrown(() => verifierWith({ clockToleranceSeconds }), 'ERR_INVALID_OPTION');
  });

  it('PortOne applies the same integer rule to its times', async () => {
    const secret = 'portone-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const portOne = portOneVerifier({ clientKey: 'ck', secretKey: secret, clock });
    const request = (claims: Record<string, unknown>): Parameters<typeof portOne.verify>[0] => ({
      method: 'GET',
      url: '/',
      headers: { authorization: `Bearer ${mint('HS256', secret, { iss: 'PORTONE', sub: 'ck', iat: NOW, exp: NOW + 100, ...claims })}`, 'x-portone-client-key': 'ck' },
      body: new Uint8Array(0),
    });
    await expectRejected(portOne, request({ exp: NOW + 99.5 }), 'ERR_CLAIM_INVALID');
    await expectRejected(portOne, request({ iat: NOW - 200, exp: NOW - 100 }), 'ERR_TOKEN_EXPIRED');
    expect((await portOne.verify(request({}))).exp).toBe(NOW + 100);
  });
});

describe('the request-binding claims', () => {
  it.each([
    ['missing', { bodyHash: undefined }],
    ['in uppercase hex', { bodyHash: BODY_HASH.toUpperCase() }],
    ['63 hex characters', { bodyHash: BODY_HASH.slice(1) }],
    ['base64 instead of hex', { bodyHash: Buffer.from(BODY_HASH, 'hex').toString('base64') }],
    ['a number', { bodyHash: 12 }],
  ])('a bodyHash %s is ERR_CLAIM_INVALID', async (_name, overrides) => {
    await expectRejected(verifier, requestWith(tokenWith(overrides)), 'ERR_CLAIM_INVALID');
  });

  it.each([
    ['missing', { uri: undefined }],
    ['a number', { uri: 42 }],
    ['an absolute URL', { uri: `https://api.example.com${URL_PATH}` }],
  ])('a uri %s is ERR_URI_MISMATCH', async (_name, overrides) => {
    await expectRejected(verifier, requestWith(tokenWith(overrides)), 'ERR_URI_MISMATCH');
  });
});
