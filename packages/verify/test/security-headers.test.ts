import { describe, expect, it } from 'vitest';
import { type SignetError, twoCheckoutSigner } from '@signet/core';
import { type VerifiableRequest, portOneVerifier, requestVerifier, twoCheckoutVerifier } from '@signet/verify';
import { testKeys } from '@signet/test-support';
import { NOW, URL_PATH, clockAt, expectRejected, expectThrown, mint, renderings, requestClaims, requestWith, segmentsOf } from './support/tokens.js';

const rsa = testKeys().rsa;
const attacker = testKeys().rsaOther;
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const clock = clockAt(NOW);
const verifier = requestVerifier({ publicKey: rsa.publicKey, clock });
const token = mint('RS256', rsa.privateKey, requestClaims());

const CLIENT_KEY = 'SglffyyZgojEdXWL';
const PORTONE_SECRET = 'portone-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const MERCHANT = 'MERCH_CODE_1234';
const SECRET_WORD = 'buy-link-secret-word-with-enough-entropy';
const portOne = portOneVerifier({ clientKeys: [CLIENT_KEY, 'SecondClientKey1'], secretKey: PORTONE_SECRET, clock });
const portOneToken = (sub: string = CLIENT_KEY): string => mint('HS256', PORTONE_SECRET, { iss: 'PORTONE', sub, iat: NOW, exp: NOW + 100 });
const twoCheckout = twoCheckoutVerifier({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock });

const withHeaders = (headers: VerifiableRequest['headers']): VerifiableRequest => ({ ...requestWith(token), headers });
const get = (headers: VerifiableRequest['headers']): VerifiableRequest => ({ method: 'GET', url: '/api/transaction/x/status', headers, body: new Uint8Array(0) });

describe('the Authorization header', () => {
  it.each([
    ['missing', {}],
    ['empty', { authorization: '' }],
    ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNzd29yZA==' }],
    ['the bare token without a scheme', { authorization: token }],
    ['the Bearer scheme without a token', { authorization: 'Bearer' }],
    ['"Bearer " with nothing after it', { authorization: 'Bearer ' }],
    ['two spaces after Bearer', { authorization: `Bearer  ${token}` }],
    ['a token followed by more text', { authorization: `Bearer ${token} extra` }],
    ['another scheme carrying the token', { authorization: `Token ${token}` }],
    ['a duplicated header given as an array', { authorization: [`Bearer ${token}`, `Bearer ${token}`] }],
    ['the header twice under different letter cases', { Authorization: `Bearer ${token}`, authorization: `Bearer ${token}` }],
    ['the token in another header', { 'x-authorization': `Bearer ${token}` }],
  ])('%s is ERR_TOKEN_MISSING', async (_name, headers) => {
    await expectRejected(verifier, withHeaders(headers), 'ERR_TOKEN_MISSING');
  });

  it.each([
    ['Bearer', 'authorization'],
    ['bearer', 'authorization'],
    ['BEARER', 'Authorization'],
    ['bEaReR', 'AUTHORIZATION'],
  ])('the scheme %s under the header name %s is accepted', async (scheme, name) => {
    expect((await verifier.verify(withHeaders({ [name]: `${scheme} ${token}` }))).sub).toBe(requestClaims().sub);
  });

  it('an undefined Authorization next to a real one is ignored, as node:http never sends undefined', async () => {
    expect((await verifier.verify(withHeaders({ authorization: `Bearer ${token}`, Authorization: undefined }))).uri).toBe(URL_PATH);
  });
});

describe('PortOne headers', () => {
  it('a missing X-Portone-Client-Key is ERR_CLIENT_KEY_MISMATCH', async () => {
    await expectRejected(portOne, get({ authorization: `Bearer ${portOneToken()}` }), 'ERR_CLIENT_KEY_MISMATCH');
  });

  it.each([
    ['an unknown key', 'UnknownClientKey'],
    ['a key in another letter case', CLIENT_KEY.toLowerCase()],
    ['an empty key', ''],
  ])('X-Portone-Client-Key with %s is ERR_CLIENT_KEY_MISMATCH', async (_name, clientKey) => {
    await expectRejected(portOne, get({ authorization: `Bearer ${portOneToken()}`, 'x-portone-client-key': clientKey }), 'ERR_CLIENT_KEY_MISMATCH');
  });

  it('X-Portone-Client-Key duplicated as an array is ERR_CLIENT_KEY_MISMATCH', async () => {
    await expectRejected(portOne, get({ authorization: `Bearer ${portOneToken()}`, 'x-portone-client-key': [CLIENT_KEY, CLIENT_KEY] }), 'ERR_CLIENT_KEY_MISMATCH');
  });

  it('a header naming one accepted key while the token sub names another is ERR_CLIENT_KEY_MISMATCH', async () => {
    expect((await portOne.verify(get({ authorization: `Bearer ${portOneToken()}`, 'x-portone-client-key': CLIENT_KEY }))).sub).toBe(CLIENT_KEY);
    await expectRejected(portOne, get({ authorization: `Bearer ${portOneToken()}`, 'x-portone-client-key': 'SecondClientKey1' }), 'ERR_CLIENT_KEY_MISMATCH');
    await expectRejected(portOne, get({ authorization: `Bearer ${portOneToken('SecondClientKey1')}`, 'x-portone-client-key': CLIENT_KEY }), 'ERR_CLIENT_KEY_MISMATCH');
  });

  it('a known client key without an Authorization header is ERR_TOKEN_MISSING', async () => {
    await expectRejected(portOne, get({ 'x-portone-client-key': CLIENT_KEY }), 'ERR_TOKEN_MISSING');
  });
});

describe('2Checkout headers', () => {
  it('a missing merchant-token is ERR_TOKEN_MISSING, even with the token in Authorization', async () => {
    const headers = await twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock }).sign({ method: 'POST', url: '/' });
    expect((await twoCheckout.verify(get(headers))).sub).toBe(MERCHANT);
    await expectRejected(twoCheckout, get({}), 'ERR_TOKEN_MISSING');
    await expectRejected(twoCheckout, get({ authorization: `Bearer ${headers['merchant-token'] as string}` }), 'ERR_TOKEN_MISSING');
  });

  it('a merchant-token with a Bearer prefix, empty or duplicated is ERR_TOKEN_MISSING', async () => {
    const merchantToken = mint('HS512', SECRET_WORD, { sub: MERCHANT, iat: NOW });
    await expectRejected(twoCheckout, get({ 'merchant-token': `Bearer ${merchantToken}` }), 'ERR_TOKEN_MISSING');
    await expectRejected(twoCheckout, get({ 'merchant-token': '' }), 'ERR_TOKEN_MISSING');
    await expectRejected(twoCheckout, get({ 'merchant-token': [merchantToken, merchantToken] }), 'ERR_TOKEN_MISSING');
  });

  it('a validly signed token for another merchant code is ERR_CLAIM_INVALID', async () => {
    await expectRejected(twoCheckout, get({ 'merchant-token': mint('HS512', SECRET_WORD, { sub: 'OTHER_MERCHANT', iat: NOW }) }), 'ERR_CLAIM_INVALID');
    await expectRejected(twoCheckout, get({ 'merchant-token': mint('HS512', SECRET_WORD, { iat: NOW }) }), 'ERR_CLAIM_INVALID');
  });
});

describe('errors never carry a token or a secret', () => {
  function expectClean(error: SignetError, secrets: readonly string[]): void {
    expect(error.cause).toBeUndefined();
    expect(Object.keys(JSON.parse(JSON.stringify(error)) as object).sort()).toEqual(['code', 'message', 'name']);
    for (const text of renderings(error)) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  }

  it('a forged request token is refused without echoing it', async () => {
    const forged = mint('RS256', attacker.privateKey, requestClaims());
    const [, payload, signature] = segmentsOf(forged);
    const error = await expectRejected(verifier, requestWith(forged), 'ERR_SIGNATURE_INVALID');
    expectClean(error, [forged, payload, signature]);
  });

  it('an expired token and a wrong path are refused without echoing the token or the path', async () => {
    const expired = mint('RS256', rsa.privateKey, requestClaims({ iat: NOW - 600, exp: NOW - 545 }));
    expectClean(await expectRejected(verifier, requestWith(expired), 'ERR_TOKEN_EXPIRED'), [expired, segmentsOf(expired)[1]]);
    expectClean(await expectRejected(verifier, requestWith(token, { url: '/v1/secret-path?card=4111111111111111' }), 'ERR_URI_MISMATCH'), [token, '4111111111111111']);
  });

  it('an attacker-chosen alg or typ is not echoed', async () => {
    const marker = 'INJECTED-<script>-alg';
    const badAlg = mint('RS256', rsa.privateKey, requestClaims(), { alg: marker, typ: 'JWT' });
    expectClean(await expectRejected(verifier, requestWith(badAlg), 'ERR_ALGORITHM_NOT_ALLOWED'), [badAlg, marker]);
    const badTyp = mint('RS256', rsa.privateKey, requestClaims(), { alg: 'RS256', typ: marker });
    expectClean(await expectRejected(verifier, requestWith(badTyp), 'ERR_TOKEN_TYPE'), [badTyp, marker]);
  });

  it('a PortOne token signed with a wrong secret is refused without echoing either secret or the token', async () => {
    const wrongSecret = 'a-guessed-secret-of-thirty-two-bytes!!';
    const forged = mint('HS256', wrongSecret, { iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 });
    const error = await expectRejected(portOne, get({ authorization: `Bearer ${forged}`, 'x-portone-client-key': CLIENT_KEY }), 'ERR_SIGNATURE_INVALID');
    expectClean(error, [forged, PORTONE_SECRET, wrongSecret, segmentsOf(forged)[2]]);
  });

  it('a 2Checkout rejection does not echo the secret word or the token', async () => {
    const other = mint('HS512', SECRET_WORD, { sub: 'OTHER_MERCHANT', iat: NOW });
    expectClean(await expectRejected(twoCheckout, get({ 'merchant-token': other }), 'ERR_CLAIM_INVALID'), [other, SECRET_WORD]);
  });

  it('construction errors do not echo key material', () => {
    const pemBody = publicPem.split('\n').slice(1, 3).join('');
    expectClean(
      expectThrown(() => portOneVerifier({ clientKey: CLIENT_KEY, secretKey: publicPem, clock }), 'ERR_KEY_TYPE'),
      [pemBody, publicPem],
    );
    const garbage = 'not-a-key-but-a-secret-looking-string-0123456789';
    expectClean(
      expectThrown(() => requestVerifier({ publicKey: garbage, clock }), 'ERR_KEY_INVALID'),
      [garbage],
    );
  });
});
