import { Buffer } from 'node:buffer';
import { verify as cryptoVerify } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { jwtSigner, requestSigner } from '@signet/core';
import { memoryReplayStore, portOneVerifier, requestVerifier, twoCheckoutVerifier } from '@signet/verify';
import { API_KEY, BODY, NOW, URL_PATH, clockAt, expectRejected, expectThrown, mint, requestClaims, requestWith, segmentsOf, sha256Hex } from './support/tokens.js';
import { testKeys } from '@signet/test-support';

// The group order of P-256 (SEC 2 §2.4.2), written here independently of the SDK; the test below proves it right.
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const ec = testKeys().p256;
const rsa = testKeys().rsa;

function bigOf(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** The same token with `s` replaced by `n - s`: the other valid spelling of one ECDSA signature. */
function malleated(token: string): string {
  const [header, payload, signature] = segmentsOf(token);
  const bytes = Buffer.from(signature, 'base64url');
  const s = P256_N - bigOf(bytes.subarray(32));
  const twin = Buffer.concat([bytes.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);
  return `${header}.${payload}.${twin.toString('base64url')}`;
}

/** An ES256 token over `claims`, re-minted until its own `s` lies in the high half (so its twin is the low one). */
function highSToken(claims: object): string {
  for (;;) {
    const token = mint('ES256', ec.privateKey, claims);
    if (bigOf(Buffer.from(segmentsOf(token)[2], 'base64url').subarray(32)) > P256_N >> 1n) return token;
  }
}

function rawVerifies(token: string): boolean {
  const [header, payload, signature] = segmentsOf(token);
  return cryptoVerify('sha256', Buffer.from(`${header}.${payload}`), { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
}

describe('ECDSA malleability', () => {
  it('the curve order used here is right: a signature and its n - s twin both verify with node:crypto', () => {
    const token = mint('ES256', ec.privateKey, requestClaims());
    expect(rawVerifies(token)).toBe(true);
    expect(rawVerifies(malleated(token))).toBe(true);
    expect(malleated(token)).not.toBe(token);
  });

  it('a high-S ES256 signature is refused with ERR_SIGNATURE_INVALID, and its low-S twin accepted', async () => {
    const verifier = requestVerifier({ publicKey: ec.publicKey, algorithms: ['ES256'], clock: clockAt() });
    const high = highSToken(requestClaims());
    await expectRejected(verifier, requestWith(high), 'ERR_SIGNATURE_INVALID');
    await expect(verifier.verify(requestWith(malleated(high)))).resolves.toMatchObject({ sub: API_KEY });
  });

  it('with a replay store, a used token cannot be replayed as its malleated twin (the reported bypass)', async () => {
    const verifier = requestVerifier({ publicKey: ec.publicKey, algorithms: ['ES256'], clock: clockAt(), replay: memoryReplayStore({ clock: clockAt() }) });
    // Without a nonce the token has no identity of its own: refused outright, in either spelling.
    const bare = highSToken(requestClaims());
    await expectRejected(verifier, requestWith(malleated(bare)), 'ERR_NONCE_REQUIRED');
    await expectRejected(verifier, requestWith(bare), 'ERR_SIGNATURE_INVALID');
    // With a nonce: accepted once; the twin carries the same (sub, nonce) and is a replay whatever its signature.
    const low = malleated(highSToken(requestClaims({ nonce: 'n-1' })));
    await expect(verifier.verify(requestWith(low))).resolves.toMatchObject({ nonce: 'n-1' });
    await expectRejected(verifier, requestWith(malleated(low)), 'ERR_SIGNATURE_INVALID');
    await expectRejected(verifier, requestWith(low), 'ERR_TOKEN_REPLAYED');
  });

  it("Signet's ES256 signer only ever produces low-S signatures, which jsonwebtoken verifies", async () => {
    const signer = jwtSigner({ algorithm: 'ES256', key: ec.privateKey });
    for (let i = 0; i < 64; i++) {
      const { Authorization } = await signer.sign({ method: 'GET', url: '/v1/x' });
      const token = (Authorization as string).slice('Bearer '.length);
      expect(bigOf(Buffer.from(segmentsOf(token)[2], 'base64url').subarray(32)) <= P256_N >> 1n).toBe(true);
      expect(() => jwt.verify(token, ec.publicKey, { algorithms: ['ES256'] })).not.toThrow();
    }
  });
});

describe('replay identity', () => {
  const body = Buffer.from(BODY);

  it('two identical requests in the same second carry byte-identical tokens without a nonce, distinct ones with it', async () => {
    const bare = requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock: clockAt() });
    const first = await bare.sign({ method: 'POST', url: URL_PATH, body });
    expect(await bare.sign({ method: 'POST', url: URL_PATH, body })).toEqual(first);
    const withNonce = requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock: clockAt(), nonce: true });
    expect(await withNonce.sign({ method: 'POST', url: URL_PATH, body })).not.toEqual(await withNonce.sign({ method: 'POST', url: URL_PATH, body }));
  });

  it('with a replay store, a token without nonce or jti is ERR_NONCE_REQUIRED, before its body is read', async () => {
    const verifier = requestVerifier({ publicKey: rsa.publicKey, clock: clockAt(), replay: memoryReplayStore({ clock: clockAt() }) });
    const token = mint('RS256', rsa.privateKey, requestClaims());
    await expectRejected(verifier, requestWith(token), 'ERR_NONCE_REQUIRED');
    await expect(verifier.authenticate(requestWith(token))).rejects.toMatchObject({ code: 'ERR_NONCE_REQUIRED' });
  });

  it('two identical concurrent requests signed with nonce: true are both accepted, and each only once', async () => {
    const verifier = requestVerifier({ publicKey: rsa.publicKey, clock: clockAt(), replay: memoryReplayStore({ clock: clockAt() }) });
    const signer = requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock: clockAt(), nonce: true });
    const requests = await Promise.all([0, 1].map(async () => ({ method: 'POST', url: URL_PATH, body, headers: await signer.sign({ method: 'POST', url: URL_PATH, body }) })));
    const claims = await Promise.all(requests.map((request) => verifier.verify(request)));
    expect(new Set(claims.map((c) => c.nonce)).size).toBe(2);
    for (const request of requests) await expectRejected(verifier, request, 'ERR_TOKEN_REPLAYED');
  });

  it('one nonce under two API keys is two identities; the same nonce twice under one key is a replay', async () => {
    const verifier = requestVerifier({ keyForApiKey: () => rsa.publicKey, clock: clockAt(), replay: memoryReplayStore({ clock: clockAt() }) });
    const a = mint('RS256', rsa.privateKey, requestClaims({ nonce: 'shared', sub: 'key-a' }));
    const b = mint('RS256', rsa.privateKey, requestClaims({ nonce: 'shared', sub: 'key-b' }));
    await verifier.verify(requestWith(a));
    await verifier.verify(requestWith(b));
    const again = mint('RS256', rsa.privateKey, requestClaims({ nonce: 'shared', sub: 'key-a', iat: NOW - 1, exp: NOW + 54 }));
    await expectRejected(verifier, requestWith(again), 'ERR_TOKEN_REPLAYED');
  });

  it('a jti serves as the identity as well as a nonce', async () => {
    const verifier = requestVerifier({ publicKey: rsa.publicKey, clock: clockAt(), replay: memoryReplayStore({ clock: clockAt() }) });
    const token = mint('RS256', rsa.privateKey, requestClaims({ jti: 'j-1' }));
    await verifier.verify(requestWith(token));
    await expectRejected(verifier, requestWith(token), 'ERR_TOKEN_REPLAYED');
  });

  it('portOneVerifier and twoCheckoutVerifier refuse a replay store at construction, saying why', () => {
    const replay = memoryReplayStore();
    const portOne = expectThrown(() => portOneVerifier({ clientKey: 'ck', secretKey: 'x'.repeat(32), replay } as never), 'ERR_INVALID_OPTION');
    expect(portOne.message).toMatch(/reus/);
    const twoCheckout = expectThrown(() => twoCheckoutVerifier({ merchantCode: 'M', secretWord: 'x'.repeat(64), replay } as never), 'ERR_INVALID_OPTION');
    expect(twoCheckout.message).toMatch(/replay/);
  });

  it('a PortOne token is reusable within its lifetime, as PortOne defines it', async () => {
    const secretKey = 'p'.repeat(32);
    const verifier = portOneVerifier({ clientKey: 'ck', secretKey, clock: clockAt() });
    const token = jwt.sign({ iss: 'PORTONE', sub: 'ck', iat: NOW, exp: NOW + 100 }, secretKey, { algorithm: 'HS256' });
    const request = { method: 'GET', url: '/api/x', headers: { authorization: `Bearer ${token}`, 'x-portone-client-key': 'ck' }, body: new Uint8Array(0) };
    await verifier.verify(request);
    await expect(verifier.verify(request)).resolves.toMatchObject({ sub: 'ck' });
  });
});

describe('the body is part of every verification', () => {
  it('a GET token does not authorize a POST whose body the caller forgot to pass: ERR_INVALID_REQUEST', async () => {
    const verifier = requestVerifier({ publicKey: rsa.publicKey, clock: clockAt() });
    const bodiless = mint('RS256', rsa.privateKey, requestClaims({ uri: '/v1/orders', bodyHash: sha256Hex('{}') }));
    const post = { method: 'POST', url: '/v1/orders', headers: { authorization: `Bearer ${bodiless}` } };
    await expectRejected(verifier, post as never, 'ERR_INVALID_REQUEST');
    await expectRejected(verifier, { ...post, body: Buffer.from('{"amount":1000000}') }, 'ERR_BODY_HASH_MISMATCH');
    await expect(verifier.verify({ ...post, method: 'GET', body: new Uint8Array(0) })).resolves.toMatchObject({ uri: '/v1/orders' });
  });

  it('a body given as a string or an array is ERR_INVALID_REQUEST, never hashed as something else', async () => {
    const verifier = requestVerifier({ publicKey: rsa.publicKey, clock: clockAt() });
    const token = mint('RS256', rsa.privateKey, requestClaims());
    await expectRejected(verifier, requestWith(token, { body: BODY as never }), 'ERR_INVALID_REQUEST');
    await expectRejected(verifier, requestWith(token, { body: [...Buffer.from(BODY)] as never }), 'ERR_INVALID_REQUEST');
  });
});
