import { Buffer } from 'node:buffer';
import { type KeyObject, verify as cryptoVerify } from 'node:crypto';
import { SignJWT } from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { type JwsAlgorithm, jwtSigner, requestSigner } from '@signet/core';
import { type Rejection, type RequestVerifierOptions, type VerifiableRequest, requestVerifier } from '@signet/verify';
import { testKeys } from '@signet/test-support';
import { API_KEY, BODY, NOW, URL_PATH, clockAt, expectRejected, expectRejectedWithOneOf, highS, lowS, mint, requestClaims, requestWith, segmentsOf, sha256Hex } from './support/tokens.js';

const rsa = testKeys().rsa;
const otherRsa = testKeys().rsaOther;
const ec256 = testKeys().p256;
const ec384 = testKeys().p384;
const ed25519 = testKeys().ed25519;
const privatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const clock = clockAt(NOW);
const body = Buffer.from(BODY);

describe('tokens minted by requestSigner', () => {
  it('a POST signed by requestSigner for a url and body verifies and returns exactly its claims', async () => {
    const headers = await requestSigner({ apiKey: API_KEY, privateKey: privatePem, clock }).sign({ method: 'POST', url: URL_PATH, body });
    const claims = await requestVerifier({ publicKey: publicPem, clock }).verify({ method: 'POST', url: URL_PATH, headers, body });
    expect(claims).toEqual({ uri: URL_PATH, iat: NOW, exp: NOW + 55, sub: API_KEY, bodyHash: sha256Hex(BODY) });
  });

  it('a bodiless GET signed by requestSigner verifies with a zero-length body, and a request without body bytes is ERR_INVALID_REQUEST', async () => {
    const url = '/v1/payments/pay_123?expand=customer&expand=refunds';
    const headers = await requestSigner({ apiKey: API_KEY, privateKey: privatePem, clock }).sign({ method: 'GET', url });
    const verifier = requestVerifier({ publicKey: publicPem, clock });
    expect(await verifier.verify({ method: 'GET', url, headers, body: new Uint8Array(0) })).toEqual({ uri: url, iat: NOW, exp: NOW + 55, sub: API_KEY, bodyHash: sha256Hex('{}') });
    // Without the body the verifier cannot tell this GET from a POST carrying a body: it refuses to guess.
    await expectRejected(verifier, { method: 'GET', url, headers } as unknown as VerifiableRequest, 'ERR_INVALID_REQUEST');
    await expectRejected(verifier, { method: 'GET', url, headers, body: '' as unknown as Uint8Array }, 'ERR_INVALID_REQUEST');
  });

  it('a token with a nonce keeps the nonce among the verified claims', async () => {
    const signer = requestSigner({ apiKey: API_KEY, privateKey: privatePem, clock, nonce: () => 'n-0001' });
    const headers = await signer.sign({ method: 'POST', url: URL_PATH, body });
    expect((await requestVerifier({ publicKey: publicPem, clock }).verify({ method: 'POST', url: URL_PATH, headers, body })).nonce).toBe('n-0001');
  });

  it.each([
    ['a PEM string', () => publicPem],
    ['a public KeyObject', () => rsa.publicKey],
    ['a DER SPKI Buffer', () => rsa.publicKey.export({ type: 'spki', format: 'der' })],
    ['a PKCS#1 PEM', () => rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string],
  ])('the public key may be given as %s', async (_name, key) => {
    const headers = await requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock }).sign({ method: 'POST', url: URL_PATH, body });
    const claims = await requestVerifier({ publicKey: key(), clock }).verify({ method: 'POST', url: URL_PATH, headers, body });
    expect(claims.sub).toBe(API_KEY);
  });
});

describe('tokens minted directly with jsonwebtoken', () => {
  it('an RS256 token from jwt.sign with the request claims verifies and returns its claims', async () => {
    const payload = { uri: URL_PATH, iat: NOW, exp: NOW + 55, sub: API_KEY, bodyHash: sha256Hex(BODY) };
    const token = jwt.sign(payload, privatePem, { algorithm: 'RS256' });
    const claims = await requestVerifier({ publicKey: publicPem, clock }).verify(requestWith(token));
    expect(claims).toEqual(payload);
  });

  it('a jsonwebtoken token with a kid and a nonce verifies', async () => {
    const payload = { uri: URL_PATH, iat: NOW, exp: NOW + 30, sub: API_KEY, bodyHash: sha256Hex(BODY), nonce: 'abc' };
    const token = jwt.sign(payload, privatePem, { algorithm: 'RS256', keyid: 'key-2024' });
    expect(await requestVerifier({ publicKey: rsa.publicKey, clock }).verify(requestWith(token))).toEqual(payload);
  });

  it('a jsonwebtoken token signed with another key is a signature error', async () => {
    const token = jwt.sign(requestClaims(), otherRsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { algorithm: 'RS256' });
    await expectRejected(requestVerifier({ publicKey: publicPem, clock }), requestWith(token), 'ERR_SIGNATURE_INVALID');
  });
});

describe('keyForApiKey', () => {
  const token = jwt.sign(requestClaims(), privatePem, { algorithm: 'RS256' });

  it('a synchronous lookup returning a PEM is called with the token sub and the token verifies', async () => {
    const calls: string[] = [];
    const verifier = requestVerifier({
      clock,
      keyForApiKey: (apiKey) => {
        calls.push(apiKey);
        return publicPem;
      },
    });
    expect((await verifier.verify(requestWith(token))).sub).toBe(API_KEY);
    expect(await verifier.verify(requestWith(token))).toEqual(requestClaims());
    expect(calls).toEqual([API_KEY, API_KEY]);
  });

  it('an asynchronous lookup returning a KeyObject verifies', async () => {
    const verifier = requestVerifier({ clock, keyForApiKey: async (apiKey) => (apiKey === API_KEY ? rsa.publicKey : undefined) });
    expect((await verifier.verify(requestWith(token))).sub).toBe(API_KEY);
  });

  it.each([
    ['undefined synchronously', () => undefined],
    ['null synchronously', () => null],
    ['undefined asynchronously', async () => undefined],
    ['null asynchronously', async () => null],
  ])('a lookup returning %s answers ERR_SIGNATURE_INVALID and tells onReject ERR_UNKNOWN_KEY', async (_name, keyForApiKey) => {
    const rejections: Rejection[] = [];
    const verifier = requestVerifier({ clock, keyForApiKey, onReject: (rejection) => rejections.push(rejection) });
    // The caller cannot tell an unknown API key from a bad signature (no key enumeration); the server's log can.
    await expectRejected(verifier, requestWith(token), 'ERR_SIGNATURE_INVALID');
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ code: 'ERR_UNKNOWN_KEY', publicCode: 'ERR_SIGNATURE_INVALID', explanation: { check: 'key', subject: API_KEY } });
  });

  it('each API key is checked against its own key: a token signed with the key of another API key is a signature error', async () => {
    const keys: Record<string, KeyObject> = { [API_KEY]: rsa.publicKey, ak_other: otherRsa.publicKey };
    const verifier = requestVerifier({ clock, keyForApiKey: (apiKey) => keys[apiKey] });
    const mine = jwt.sign(requestClaims({ sub: 'ak_other' }), otherRsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { algorithm: 'RS256' });
    expect((await verifier.verify(requestWith(mine))).sub).toBe('ak_other');
    const stolen = jwt.sign(requestClaims({ sub: 'ak_other' }), privatePem, { algorithm: 'RS256' });
    await expectRejected(verifier, requestWith(stolen), 'ERR_SIGNATURE_INVALID');
  });

  it.each([
    ['empty', ''],
    ['257 characters long', 'k'.repeat(257)],
    ['non-ASCII', 'clé_api'],
    ['holding a space', 'ak live'],
    ['holding a tab', 'ak\tlive'],
    ['a number', 12345],
    ['missing', undefined],
  ])('a sub that is %s is ERR_CLAIM_INVALID and the key lookup is never called', async (_name, sub) => {
    let calls = 0;
    const verifier = requestVerifier({
      clock,
      keyForApiKey: () => {
        calls += 1;
        return publicPem;
      },
    });
    const bad = mint('RS256', rsa.privateKey, requestClaims({ sub }));
    await expectRejected(verifier, requestWith(bad), 'ERR_CLAIM_INVALID');
    expect(calls).toBe(0);
  });

  it('a sub of exactly 256 visible ASCII characters is looked up and accepted', async () => {
    const sub = 'k'.repeat(255) + '~';
    const seen: string[] = [];
    const verifier = requestVerifier({
      clock,
      keyForApiKey: (apiKey) => {
        seen.push(apiKey);
        return rsa.publicKey;
      },
    });
    expect((await verifier.verify(requestWith(mint('RS256', rsa.privateKey, requestClaims({ sub }))))).sub).toBe(sub);
    expect(seen).toEqual([sub]);
  });

  it('with a single publicKey, a bad sub in a validly signed token is still ERR_CLAIM_INVALID', async () => {
    await expectRejected(requestVerifier({ publicKey: publicPem, clock }), requestWith(mint('RS256', rsa.privateKey, requestClaims({ sub: 'a b' }))), 'ERR_CLAIM_INVALID');
  });
});

describe('a widened algorithm list', () => {
  const algorithms: JwsAlgorithm[] = ['RS256', 'ES256', 'PS256', 'EdDSA'];
  const privateKeys: Record<string, KeyObject> = { RS256: rsa.privateKey, ES256: ec256.privateKey, PS256: rsa.privateKey, EdDSA: ed25519.privateKey };
  const publicKeys: Record<string, KeyObject> = { RS256: rsa.publicKey, ES256: ec256.publicKey, PS256: rsa.publicKey, EdDSA: ed25519.publicKey };
  const options = (): RequestVerifierOptions => ({ clock, algorithms, keyForApiKey: (apiKey) => publicKeys[apiKey.slice('client-'.length)] });
  const { uri, bodyHash } = requestClaims() as { uri: string; bodyHash: string };

  it.each(algorithms)('a %s token minted by jwtSigner verifies', async (alg) => {
    const sub = `client-${alg}`;
    const signer = jwtSigner({ algorithm: alg, key: privateKeys[alg] as KeyObject, claims: { uri, sub, bodyHash }, expiresInSeconds: 55, clock });
    const headers = await signer.sign({ method: 'POST', url: URL_PATH, body });
    const claims = await requestVerifier(options()).verify({ method: 'POST', url: URL_PATH, headers, body });
    expect(claims).toEqual({ uri, sub, bodyHash, iat: NOW, exp: NOW + 55 });
  });

  it.each(algorithms)('a %s token minted by jose verifies', async (alg) => {
    const sub = `client-${alg}`;
    const minted = await new SignJWT({ uri, bodyHash })
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 50)
      .sign(privateKeys[alg] as KeyObject);
    // jose emits high-S ECDSA signatures half the time; only the low-S spelling is accepted.
    const token = alg === 'ES256' ? lowS(minted) : minted;
    expect(await requestVerifier(options()).verify(requestWith(token))).toEqual({ uri, sub, bodyHash, iat: NOW, exp: NOW + 50 });
  });

  it.each(['ES256', 'ES384'] as const)('the high-S twin of a valid %s token (from jose) is ERR_SIGNATURE_INVALID', async (alg) => {
    const keys = alg === 'ES256' ? ec256 : ec384;
    const minted = await new SignJWT({ uri, bodyHash })
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setSubject(API_KEY)
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 50)
      .sign(keys.privateKey);
    const [header, payload, signature] = segmentsOf(highS(minted));
    // The twin is a mathematically valid signature (node:crypto accepts it), so only the low-S rule refuses it.
    const input = Buffer.from(`${header}.${payload}`, 'latin1');
    expect(cryptoVerify(alg === 'ES256' ? 'sha256' : 'sha384', input, { key: keys.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
    const verifier = requestVerifier({ clock, algorithms: [alg], publicKey: keys.publicKey });
    expect((await verifier.verify(requestWith(lowS(minted)))).sub).toBe(API_KEY);
    await expectRejected(verifier, requestWith(highS(minted)), 'ERR_SIGNATURE_INVALID');
  });

  it('an algorithm left out of the widened list (ES384) is still refused', async () => {
    const verifier = requestVerifier({ clock, algorithms, keyForApiKey: () => ec384.publicKey });
    const token = mint('ES384', ec384.privateKey, requestClaims());
    await expectRejected(verifier, requestWith(token), 'ERR_ALGORITHM_NOT_ALLOWED');
  });

  it('an allowed algorithm with the key of another allowed algorithm is refused (ES256 token, RSA key)', async () => {
    const verifier = requestVerifier({ clock, algorithms, publicKey: rsa.publicKey });
    await expectRejected(verifier, requestWith(mint('ES256', ec256.privateKey, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
    await expectRejectedWithOneOf(verifier, requestWith(mint('EdDSA', ed25519.privateKey, requestClaims())), ['ERR_ALGORITHM_NOT_ALLOWED']);
  });

  it('the default list accepts RS256 only: the same PS256, ES256 and EdDSA tokens are refused', async () => {
    // keyForApiKey hands over the matching key, so only the allow-list stands between each token and acceptance.
    for (const alg of ['PS256', 'ES256', 'EdDSA'] as const) {
      const verifier = requestVerifier({ clock, keyForApiKey: () => publicKeys[alg] });
      await expectRejected(verifier, requestWith(mint(alg, privateKeys[alg] as KeyObject, requestClaims())), 'ERR_ALGORITHM_NOT_ALLOWED');
    }
  });
});
