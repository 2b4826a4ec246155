import { Buffer } from 'node:buffer';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import { requestVerifier } from '@signet/verify';
import { testKeys } from '@signet/test-support';
import { API_KEY, BODY, NOW, URL_PATH, b64u, clockAt, decodePayload, expectRejected, mint, requestClaims, requestWith, segmentsOf, sha256Hex, withPayload } from './support/tokens.js';

const rsa = testKeys().rsa;
const attacker = testKeys().rsaOther;
const clock = clockAt(NOW);
const verifier = requestVerifier({ publicKey: rsa.publicKey, clock });
const signer = requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock });

let token: string;
beforeAll(async () => {
  const headers = await signer.sign({ method: 'POST', url: URL_PATH, body: Buffer.from(BODY) });
  token = (headers['Authorization'] as string).slice('Bearer '.length);
});

describe('an untouched request', () => {
  it('verifies (the control every tampering below departs from)', async () => {
    expect(await verifier.verify(requestWith(token))).toEqual(requestClaims());
  });
});

describe('tampering with the request', () => {
  it('every single byte of the body changed is ERR_BODY_HASH_MISMATCH', async () => {
    for (let i = 0; i < BODY.length; i++) {
      const body = Buffer.from(BODY);
      body[i] = (body[i] as number) ^ 0x01;
      await expectRejected(verifier, requestWith(token, { body }), 'ERR_BODY_HASH_MISMATCH');
    }
  });

  it.each([
    ['a byte appended', Buffer.from(`${BODY}\n`)],
    ['the last byte removed', Buffer.from(BODY.slice(0, -1))],
    ['no bytes at all (an empty body)', Buffer.alloc(0)],
    ['the body re-serialized with spaces', Buffer.from(JSON.stringify(JSON.parse(BODY), null, 1))],
  ])('a body with %s is ERR_BODY_HASH_MISMATCH', async (_name, body) => {
    await expectRejected(verifier, requestWith(token, { body }), 'ERR_BODY_HASH_MISMATCH');
  });

  it.each([
    ['left out', undefined],
    ['null', null],
    ['the body as a string', BODY],
    ['the body as an array of bytes', [...Buffer.from(BODY)]],
    ['an ArrayBuffer', new Uint8Array(Buffer.from(BODY)).buffer],
  ])('a request whose body is %s is ERR_INVALID_REQUEST, even with the right bytes, before the token is judged', async (_name, body) => {
    const request = requestWith(token);
    if (body === undefined) delete (request as { body?: unknown }).body;
    else (request as { body: unknown }).body = body;
    await expectRejected(verifier, request, 'ERR_INVALID_REQUEST');
    // Checked first: a forged token with the same malformed body is refused for the body, not the signature.
    const forged = requestWith(mint('RS256', attacker.privateKey, requestClaims()));
    (forged as { body: unknown }).body = body;
    await expectRejected(verifier, forged, 'ERR_INVALID_REQUEST');
  });

  it.each([
    ['another path', '/v1/refunds?amount=100&currency=EUR'],
    ['a path one character shorter', '/v1/payment?amount=100&currency=EUR'],
    ['the path in another letter case', '/v1/Payments?amount=100&currency=EUR'],
    ['a trailing slash', '/v1/payments/?amount=100&currency=EUR'],
    ['the query parameters reordered', '/v1/payments?currency=EUR&amount=100'],
    ['a query parameter changed', '/v1/payments?amount=900&currency=EUR'],
    ['a query parameter added', '/v1/payments?amount=100&currency=EUR&x=1'],
    ['the query dropped', '/v1/payments'],
    ['a percent-encoded character', '/v1/payments?amount=100&currency=%45UR'],
    ['a fragment', '/v1/payments?amount=100&currency=EUR#x'],
  ])('%s is ERR_URI_MISMATCH', async (_name, url) => {
    await expectRejected(verifier, requestWith(token, { url }), 'ERR_URI_MISMATCH');
  });
});

describe('tampering with the token', () => {
  it('sub changed in the payload without re-signing is ERR_SIGNATURE_INVALID', async () => {
    const forged = withPayload(token, (claims) => ({ ...claims, sub: 'ak_live_someone_else' }));
    expect(decodePayload(forged).sub).toBe('ak_live_someone_else');
    await expectRejected(verifier, requestWith(forged), 'ERR_SIGNATURE_INVALID');
  });

  it('sub changed to another API key with the same public key is ERR_SIGNATURE_INVALID under keyForApiKey', async () => {
    const lookup = requestVerifier({ clock, keyForApiKey: () => rsa.publicKey });
    await expectRejected(lookup, requestWith(withPayload(token, (claims) => ({ ...claims, sub: 'ak_live_other' }))), 'ERR_SIGNATURE_INVALID');
  });

  it('exp extended without re-signing is ERR_SIGNATURE_INVALID, not ERR_TOKEN_EXPIRED', async () => {
    const later = requestVerifier({ publicKey: rsa.publicKey, clock: clockAt(NOW + 120) });
    // The genuine token is expired at that time; the extended copy must fail on its signature, not its times.
    await expectRejected(later, requestWith(token), 'ERR_TOKEN_EXPIRED');
    const extended = withPayload(token, (claims) => ({ ...claims, exp: NOW + 150 }));
    await expectRejected(later, requestWith(extended), 'ERR_SIGNATURE_INVALID');
  });

  it('iat moved forward without re-signing is ERR_SIGNATURE_INVALID', async () => {
    const later = requestVerifier({ publicKey: rsa.publicKey, clock: clockAt(NOW + 120) });
    const moved = withPayload(token, (claims) => ({ ...claims, iat: NOW + 100, exp: NOW + 155 }));
    await expectRejected(later, requestWith(moved), 'ERR_SIGNATURE_INVALID');
  });

  it('uri and bodyHash rewritten to match another request are ERR_SIGNATURE_INVALID', async () => {
    const url = '/v1/refunds';
    const body = Buffer.from('{"amount":1000000}');
    const rebound = withPayload(token, (claims) => ({ ...claims, uri: url, bodyHash: sha256Hex(body) }));
    await expectRejected(verifier, requestWith(rebound, { url, body }), 'ERR_SIGNATURE_INVALID');
  });

  it('the header re-encoded (typ dropped, kid added) without re-signing is ERR_SIGNATURE_INVALID', async () => {
    const [, payload, signature] = segmentsOf(token);
    for (const header of [{ alg: 'RS256' }, { alg: 'RS256', typ: 'JWT', kid: 'k1' }, { typ: 'JWT', alg: 'RS256' }]) {
      await expectRejected(verifier, requestWith(`${b64u(header)}.${payload}.${signature}`), 'ERR_SIGNATURE_INVALID');
    }
  });

  it('the payload re-serialized with the same claims in another order is ERR_SIGNATURE_INVALID', async () => {
    const [header, , signature] = segmentsOf(token);
    const claims = decodePayload(token);
    const reordered = Object.fromEntries(Object.entries(claims).reverse());
    await expectRejected(verifier, requestWith(`${header}.${b64u(reordered)}.${signature}`), 'ERR_SIGNATURE_INVALID');
  });

  it('the signature of another token is ERR_SIGNATURE_INVALID', async () => {
    const other = mint('RS256', rsa.privateKey, requestClaims({ nonce: 'x' }));
    const [header, payload] = segmentsOf(token);
    await expectRejected(verifier, requestWith(`${header}.${payload}.${segmentsOf(other)[2]}`), 'ERR_SIGNATURE_INVALID');
  });
});

describe('signature before claims: a forged token is a signature error whatever else is wrong with it', () => {
  it.each([
    ['also expired', { iat: NOW - 3600, exp: NOW - 3545 }],
    ['also issued in the future', { iat: NOW + 3600, exp: NOW + 3655 }],
    ['also too long-lived', { exp: NOW + 86_400 }],
    ['also carrying fractional times', { iat: NOW + 0.5 }],
    ['also missing exp', { exp: undefined }],
    ['also for another path', { uri: '/elsewhere' }],
    ['also for another body', { bodyHash: sha256Hex('other') }],
    ['also with a malformed bodyHash', { bodyHash: 'NOT-HEX' }],
  ])('a token signed with another key and %s is ERR_SIGNATURE_INVALID', async (_name, overrides) => {
    const forged = mint('RS256', attacker.privateKey, requestClaims(overrides));
    await expectRejected(verifier, requestWith(forged), 'ERR_SIGNATURE_INVALID');
  });
});

describe('the empty-body convention', () => {
  const url = '/v1/balance';
  // A bodiless request is verified with an empty body: the verifier must be given the bytes, zero of them here.
  const get = (tokenOf: string, body: Uint8Array = new Uint8Array(0)): Parameters<typeof verifier.verify>[0] => ({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${tokenOf}` },
    body,
  });
  const signBodiless = async (emptyBody?: string | Uint8Array): Promise<string> => {
    const options = emptyBody === undefined ? {} : { emptyBody };
    const headers = await requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock, ...options }).sign({ method: 'GET', url });
    return (headers['Authorization'] as string).slice('Bearer '.length);
  };

  it('by default a bodiless request hashes "{}": it verifies with a zero-length body and with the bytes {}, and not without body bytes', async () => {
    const bodiless = await signBodiless();
    expect(decodePayload(bodiless).bodyHash).toBe(sha256Hex('{}'));
    expect((await verifier.verify(get(bodiless))).uri).toBe(url);
    expect((await verifier.verify(get(bodiless, Buffer.alloc(0)))).uri).toBe(url);
    const withoutBody: Partial<Parameters<typeof verifier.verify>[0]> = get(bodiless);
    delete withoutBody.body;
    await expectRejected(verifier, withoutBody as Parameters<typeof verifier.verify>[0], 'ERR_INVALID_REQUEST');
    expect((await verifier.verify(get(bodiless, Buffer.from('{}')))).uri).toBe(url);
    await expectRejected(verifier, get(bodiless, Buffer.from(' ')), 'ERR_BODY_HASH_MISMATCH');
  });

  it('with emptyBody "" on both sides a bodiless request verifies', async () => {
    const bodiless = await signBodiless('');
    expect(decodePayload(bodiless).bodyHash).toBe(sha256Hex(''));
    const emptyHashing = requestVerifier({ publicKey: rsa.publicKey, clock, emptyBody: '' });
    expect((await emptyHashing.verify(get(bodiless))).bodyHash).toBe(sha256Hex(''));
    expect((await emptyHashing.verify(get(bodiless, Buffer.alloc(0)))).bodyHash).toBe(sha256Hex(''));
    await expectRejected(emptyHashing, get(bodiless, Buffer.from('{}')), 'ERR_BODY_HASH_MISMATCH');
  });

  it('emptyBody may be given as bytes', async () => {
    const bodiless = await signBodiless(new Uint8Array(0));
    expect((await requestVerifier({ publicKey: rsa.publicKey, clock, emptyBody: new Uint8Array(0) }).verify(get(bodiless))).uri).toBe(url);
  });

  it('mismatched conventions are ERR_BODY_HASH_MISMATCH in both directions', async () => {
    await expectRejected(verifier, get(await signBodiless('')), 'ERR_BODY_HASH_MISMATCH');
    await expectRejected(requestVerifier({ publicKey: rsa.publicKey, clock, emptyBody: '' }), get(await signBodiless()), 'ERR_BODY_HASH_MISMATCH');
  });
});
