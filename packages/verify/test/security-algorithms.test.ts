import { Buffer } from 'node:buffer';
import { type KeyObject, createSecretKey, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import type { JwsAlgorithm } from '@signet/core';
import { portOneVerifier, requestVerifier, twoCheckoutVerifier } from '@signet/verify';
import { testKeys } from '@signet/test-support';
import { NOW, clockAt, expectRejected, expectRejectedWithOneOf, expectThrown, lowS, mint, outcomeOf, requestClaims, requestWith, unsigned } from './support/tokens.js';

const rsa = testKeys().rsa;
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec256 = testKeys().p256;
const ec384 = testKeys().p384;
const ed25519 = testKeys().ed25519;
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const clock = clockAt(NOW);
const verifier = requestVerifier({ publicKey: publicPem, clock });
const everyAsymmetric: JwsAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const CLIENT_KEY = 'SglffyyZgojEdXWL';
const PORTONE_SECRET = 'portone-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const MERCHANT = 'MERCH_CODE_1234';
const SECRET_WORD = 'buy-link-secret-word-with-enough-entropy';
const portOne = portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock });
const twoCheckout = twoCheckoutVerifier({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock });
const portOneClaims = { iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 };
const portOneRequest = (token: string): Parameters<typeof portOne.verify>[0] => ({
  method: 'GET',
  url: '/api/transaction/x/status',
  headers: { authorization: `Bearer ${token}`, 'x-portone-client-key': CLIENT_KEY },
  body: new Uint8Array(0),
});
const twoCheckoutRequest = (token: string): Parameters<typeof twoCheckout.verify>[0] => ({ method: 'POST', url: '/x', headers: { 'merchant-token': token }, body: new Uint8Array(0) });

describe('alg "none"', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('an unsigned token with alg %s is ERR_ALGORITHM_NOT_ALLOWED', async (alg) => {
    await expectRejected(verifier, requestWith(unsigned({ alg, typ: 'JWT' }, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it.each(['none', 'NONE'])('alg %s is refused even when every asymmetric algorithm is allowed', async (alg) => {
    const wide = requestVerifier({ publicKey: publicPem, clock, algorithms: everyAsymmetric });
    await expectRejected(wide, requestWith(unsigned({ alg, typ: 'JWT' }, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('alg none with the signature segment left out altogether is refused, never accepted', async () => {
    const token = unsigned({ alg: 'none', typ: 'JWT' }, requestClaims()).slice(0, -1);
    await expectRejectedWithOneOf(verifier, requestWith(token), ['ERR_ALGORITHM_NOT_ALLOWED', 'ERR_JWT_MALFORMED']);
  });

  it('alg none carrying a genuine RS256 signature of the same input is refused', async () => {
    const genuine = mint('RS256', rsa.privateKey, requestClaims(), { alg: 'none', typ: 'JWT' });
    await expectRejected(verifier, requestWith(genuine), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('the PortOne and 2Checkout verifiers refuse alg none', async () => {
    await expectRejected(portOne, portOneRequest(unsigned({ alg: 'none', typ: 'JWT' }, portOneClaims)), 'ERR_ALGORITHM_NOT_ALLOWED');
    await expectRejected(twoCheckout, twoCheckoutRequest(unsigned({ alg: 'None' }, { sub: MERCHANT, iat: NOW })), 'ERR_ALGORITHM_NOT_ALLOWED');
  });
});

describe('algorithm confusion', () => {
  it('an HS256 token signed with the RSA public key PEM as HMAC secret is ERR_ALGORITHM_NOT_ALLOWED', async () => {
    const forged = mint('HS256', publicPem, requestClaims(), { alg: 'HS256', typ: 'JWT' });
    await expectRejected(verifier, requestWith(forged), 'ERR_ALGORITHM_NOT_ALLOWED');
    await expectRejected(requestVerifier({ publicKey: rsa.publicKey, clock }), requestWith(forged), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('the confusion token is refused whatever form of the public key was the secret, even with every asymmetric algorithm allowed', async () => {
    const wide = requestVerifier({ publicKey: publicPem, clock, algorithms: everyAsymmetric });
    const forms = [publicPem, publicPem.trim(), rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string, rsa.publicKey.export({ type: 'spki', format: 'der' })];
    for (const secret of forms) {
      for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
        await expectRejected(wide, requestWith(mint(alg, secret, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
      }
    }
  });

  it('the confusion token is refused when the key comes from keyForApiKey', async () => {
    let calls = 0;
    const lookup = requestVerifier({
      clock,
      keyForApiKey: async () => {
        calls += 1;
        return publicPem;
      },
    });
    await expectRejected(lookup, requestWith(mint('HS256', publicPem, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
    expect(calls).toBeLessThanOrEqual(1);
  });

  it('a confusion token minted by jsonwebtoken itself (HS256 with the PEM string) is refused', async () => {
    const forged = jwt.sign(requestClaims(), Buffer.from(publicPem), { algorithm: 'HS256' });
    await expectRejected(verifier, requestWith(forged), 'ERR_ALGORITHM_NOT_ALLOWED');
  });
});

describe('the allow-list', () => {
  it.each([
    ['RS384', () => mint('RS384', rsa.privateKey, requestClaims())],
    ['RS512', () => mint('RS512', rsa.privateKey, requestClaims())],
    ['PS256', () => mint('PS256', rsa.privateKey, requestClaims())],
    ['ES256', () => lowS(mint('ES256', ec256.privateKey, requestClaims()))],
    ['ES384', () => lowS(mint('ES384', ec384.privateKey, requestClaims()))],
    ['EdDSA', () => mint('EdDSA', ed25519.privateKey, requestClaims())],
    ['HS256', () => mint('HS256', 'a-shared-secret-of-thirty-two-bytes!', requestClaims())],
    ['HS512', () => mint('HS512', 'a-shared-secret-of-sixty-four-bytes-for-hs512-with-some-padding!', requestClaims())],
  ])('a validly signed %s token is ERR_ALGORITHM_NOT_ALLOWED when only RS256 is allowed', async (_alg, make) => {
    await expectRejected(requestVerifier({ clock, keyForApiKey: () => rsa.publicKey }), requestWith(make()), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('an RS512 token is refused by an RS256 verifier even though the RSA key fits', async () => {
    await expectRejected(verifier, requestWith(mint('RS512', rsa.privateKey, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it.each([
    ['missing', {}],
    ['a number', { alg: 256 }],
    ['null', { alg: null }],
    ['an array', { alg: ['RS256'] }],
    ['an object', { alg: { name: 'RS256' } }],
    ['lowercase rs256', { alg: 'rs256' }],
    ['padded with a space', { alg: 'RS256 ' }],
    ['empty', { alg: '' }],
  ])('an RS256-signed token whose alg is %s is ERR_ALGORITHM_NOT_ALLOWED', async (_name, header) => {
    await expectRejected(verifier, requestWith(mint('RS256', rsa.privateKey, requestClaims(), { ...header, typ: 'JWT' })), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('PortOne refuses an RS256 token carrying valid PortOne claims', async () => {
    await expectRejected(portOne, portOneRequest(mint('RS256', rsa.privateKey, portOneClaims)), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('PortOne refuses HS384 and HS512 tokens signed with its own secret', async () => {
    for (const alg of ['HS384', 'HS512'] as const) {
      await expectRejected(portOne, portOneRequest(mint(alg, PORTONE_SECRET, portOneClaims)), 'ERR_ALGORITHM_NOT_ALLOWED');
    }
  });

  it('2Checkout refuses an HS256 token signed with the secret word', async () => {
    await expectRejected(twoCheckout, twoCheckoutRequest(mint('HS256', SECRET_WORD, { sub: MERCHANT, iat: NOW })), 'ERR_ALGORITHM_NOT_ALLOWED');
  });
});

describe('keys of the wrong type', () => {
  it('an EC public key given as publicKey with algorithms [RS256] is refused at construction (no allowed algorithm fits it)', () => {
    expectThrown(() => requestVerifier({ publicKey: ec256.publicKey, clock, algorithms: ['RS256'] }), 'ERR_KEY_TYPE');
  });

  it('an EC public key returned by keyForApiKey for an RS256 token is refused at verify', async () => {
    const ecLookup = requestVerifier({ keyForApiKey: () => ec256.publicKey, clock, algorithms: ['RS256'] });
    await expectRejected(ecLookup, requestWith(mint('RS256', rsa.privateKey, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('an ES256 token is refused with a P-384 key and an EdDSA token with an EC key', async () => {
    const wide = (publicKey: KeyObject): ReturnType<typeof requestVerifier> => requestVerifier({ publicKey, clock, algorithms: everyAsymmetric });
    await expectRejected(wide(ec384.publicKey), requestWith(mint('ES256', ec256.privateKey, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
    await expectRejected(wide(ec256.publicKey), requestWith(mint('EdDSA', ed25519.privateKey, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
    await expectRejected(wide(ed25519.publicKey), requestWith(mint('RS256', rsa.privateKey, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('a 1024-bit RSA public key is refused at construction, and at verify when keyForApiKey returns it', async () => {
    expectThrown(() => requestVerifier({ publicKey: rsa1024.publicKey, clock }), 'ERR_KEY_TOO_SMALL');
    const lookup = requestVerifier({ clock, keyForApiKey: () => rsa1024.publicKey });
    await expectRejected(lookup, requestWith(mint('RS256', rsa1024.privateKey, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('a secret KeyObject as publicKey is ERR_KEY_TYPE at construction', () => {
    expectThrown(() => requestVerifier({ publicKey: createSecretKey(Buffer.alloc(32, 1)), clock }), 'ERR_KEY_TYPE');
  });

  it('a secret KeyObject returned by keyForApiKey is refused, never used as an HMAC key', async () => {
    const secret = createSecretKey(Buffer.from('a-shared-secret-of-thirty-two-bytes!'));
    const lookup = requestVerifier({ clock, keyForApiKey: () => secret });
    await expectRejected(lookup, requestWith(mint('RS256', rsa.privateKey, requestClaims())), 'ERR_KEY_TYPE');
    const outcome = await outcomeOf(lookup, requestWith(mint('HS256', secret, requestClaims())));
    expect(outcome.resolved).toBe(false);
  });

  it('the PortOne and 2Checkout verifiers refuse a PEM public key as their HMAC secret (ERR_KEY_TYPE)', () => {
    expectThrown(() => portOneVerifier({ clientKey: CLIENT_KEY, secretKey: publicPem, clock }), 'ERR_KEY_TYPE');
    expectThrown(() => twoCheckoutVerifier({ merchantCode: MERCHANT, secretWord: publicPem, clock }), 'ERR_KEY_TYPE');
    expectThrown(() => portOneVerifier({ clientKey: CLIENT_KEY, secretKey: rsa.publicKey, clock }), 'ERR_KEY_TYPE');
  });
});

describe('requestVerifier construction', () => {
  it.each([[['HS256']], [['HS512']], [['none']], [['NONE']], [['RS256', 'HS256']], [['RS256', 'none']], [['rs256']], [[]]])('algorithms %j is ERR_INVALID_OPTION', (algorithms) => {
    expectThrown(() => requestVerifier({ publicKey: publicPem, clock, algorithms: algorithms as JwsAlgorithm[] }), 'ERR_INVALID_OPTION');
  });

  it('algorithms given as a string instead of a list is ERR_INVALID_OPTION', () => {
    expectThrown(() => requestVerifier({ publicKey: publicPem, clock, algorithms: 'RS256' as unknown as JwsAlgorithm[] }), 'ERR_INVALID_OPTION');
  });
});
