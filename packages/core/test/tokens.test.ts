import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import type { RequestSignerOptions, SignableRequest } from '@signet/core';
import { bearerToken, rejectedSignetError, sha256Hex, verifyToken } from './helpers.js';
import { testKeys } from '@signet/test-support';

const { privateKey, publicKey } = testKeys().rsa;
const apiKey = 'test-api-key-0123';
const FIXED_MS = 1_700_000_123_987;
const FIXED_IAT = 1_700_000_123;

function signer(extra: Partial<RequestSignerOptions> = {}) {
  return requestSigner({ apiKey, privateKey, clock: () => FIXED_MS, ...extra });
}

async function signAndVerify(request: SignableRequest, extra: Partial<RequestSignerOptions> = {}) {
  const headers = await signer(extra).sign(request);
  return verifyToken(bearerToken(headers), publicKey, FIXED_IAT);
}

describe('the token', () => {
  it('has exactly the header {"alg":"RS256","typ":"JWT"}', async () => {
    const headers = await signer().sign({ method: 'GET', url: '/v1/x' });
    const token = bearerToken(headers);
    expect(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')).toBe('{"alg":"RS256","typ":"JWT"}');
    expect(verifyToken(token, publicKey, FIXED_IAT).header).toStrictEqual({ alg: 'RS256', typ: 'JWT' });
  });

  it('carries exactly uri, iat, exp, sub and bodyHash by default', async () => {
    const body = Buffer.from('{"amount":"10.00"}', 'utf8');
    const { payload } = await signAndVerify({ method: 'POST', url: '/v1/resources?filter=active&q=a%20b', body });
    expect(payload).toStrictEqual({
      uri: '/v1/resources?filter=active&q=a%20b',
      iat: FIXED_IAT,
      exp: FIXED_IAT + 55,
      sub: apiKey,
      bodyHash: sha256Hex(body),
    });
  });

  it('lists the claims in the order of the reference scheme', async () => {
    const headers = await signer().sign({ method: 'GET', url: '/v1/x' });
    const payloadJson = Buffer.from(bearerToken(headers).split('.')[1] ?? '', 'base64url').toString('utf8');
    expect(Object.keys(JSON.parse(payloadJson) as object)).toEqual(['uri', 'iat', 'exp', 'sub', 'bodyHash']);
  });

  it('sets iat to the whole seconds of the clock, rounded down', async () => {
    for (const [ms, iat] of [
      [1_700_000_000_000, 1_700_000_000],
      [1_700_000_000_999, 1_700_000_000],
      [1_700_000_001_001, 1_700_000_001],
    ] as const) {
      const headers = await requestSigner({ apiKey, privateKey, clock: () => ms }).sign({ method: 'GET', url: '/' });
      const { payload } = verifyToken(bearerToken(headers), publicKey, iat);
      expect(payload.iat).toBe(iat);
      expect(Number.isInteger(payload.iat)).toBe(true);
      expect(payload.exp).toBe(iat + 55);
    }
  });

  it('uses the real clock by default', async () => {
    const before = Math.floor(Date.now() / 1000);
    const headers = await requestSigner({ apiKey, privateKey }).sign({ method: 'GET', url: '/v1/x' });
    const after = Math.floor(Date.now() / 1000);
    const { payload } = verifyToken(bearerToken(headers), publicKey);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(after);
    expect(payload.exp).toBe((payload.iat ?? Number.NaN) + 55);
  });

  it('sets exp to iat + expiresInSeconds when a lifetime is given', async () => {
    const { payload } = await signAndVerify({ method: 'GET', url: '/v1/x' }, { expiresInSeconds: 300 });
    expect(payload.exp).toBe(FIXED_IAT + 300);
  });

  it('is rejected by a verifier once exp has passed', async () => {
    const headers = await signer().sign({ method: 'GET', url: '/v1/x' });
    expect(() => verifyToken(bearerToken(headers), publicKey, FIXED_IAT + 55)).toThrow(/expired/);
  });

  it('puts the api key in sub', async () => {
    const { payload } = await signAndVerify({ method: 'GET', url: '/' }, { apiKey: 'another-key' });
    expect(payload.sub).toBe('another-key');
  });

  it('signs a fresh token for every request', async () => {
    const s = signer();
    const a = bearerToken(await s.sign({ method: 'GET', url: '/a' }));
    const b = bearerToken(await s.sign({ method: 'GET', url: '/b' }));
    expect(a).not.toBe(b);
    expect(verifyToken(a, publicKey, FIXED_IAT).payload.uri).toBe('/a');
    expect(verifyToken(b, publicKey, FIXED_IAT).payload.uri).toBe('/b');
  });
});

describe('bodyHash', () => {
  it('is the lowercase hex SHA-256 of the body bytes', async () => {
    const body = new Uint8Array([0x00, 0xff, 0x7b, 0x7d, 0x80, 0x0a]);
    const { payload } = await signAndVerify({ method: 'POST', url: '/v1/x', body });
    expect(payload['bodyHash']).toBe(sha256Hex(body));
    expect(payload['bodyHash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it("hashes '{}' when the body is undefined", async () => {
    const { payload } = await signAndVerify({ method: 'GET', url: '/v1/x' });
    expect(payload['bodyHash']).toBe(sha256Hex('{}'));
  });

  it("hashes '{}' when the body is zero-length", async () => {
    const { payload } = await signAndVerify({ method: 'POST', url: '/v1/x', body: new Uint8Array(0) });
    expect(payload['bodyHash']).toBe(sha256Hex('{}'));
  });

  it("hashes the empty string for a missing or empty body with emptyBody: ''", async () => {
    const missing = await signAndVerify({ method: 'GET', url: '/v1/x' }, { emptyBody: '' });
    const empty = await signAndVerify({ method: 'POST', url: '/v1/x', body: Buffer.alloc(0) }, { emptyBody: '' });
    const expected = sha256Hex('');
    expect(expected).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(missing.payload['bodyHash']).toBe(expected);
    expect(empty.payload['bodyHash']).toBe(expected);
  });

  it('hashes the bytes of a Uint8Array emptyBody for a missing body', async () => {
    const emptyBody = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c, 0xc3, 0xa9]);
    const { payload } = await signAndVerify({ method: 'GET', url: '/v1/x' }, { emptyBody });
    expect(payload['bodyHash']).toBe(sha256Hex(Buffer.from([0x6e, 0x75, 0x6c, 0x6c, 0xc3, 0xa9])));
  });

  it('does not use emptyBody when the body has bytes', async () => {
    const body = Buffer.from('x');
    const { payload } = await signAndVerify({ method: 'POST', url: '/v1/x', body }, { emptyBody: '' });
    expect(payload['bodyHash']).toBe(sha256Hex('x'));
  });

  it('hashes only the bytes of a Uint8Array subarray, not its whole buffer', async () => {
    const whole = new Uint8Array(64).map((_, i) => i);
    const view = whole.subarray(5, 17);
    const { payload } = await signAndVerify({ method: 'POST', url: '/v1/x', body: view });
    expect(payload['bodyHash']).toBe(sha256Hex(Uint8Array.from([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])));
    expect(payload['bodyHash']).not.toBe(sha256Hex(whole));
  });

  it('hashes only the bytes of a pooled Buffer slice', async () => {
    const big = Buffer.from('prefix{"a":1}suffix', 'utf8');
    const slice = big.subarray(6, 13);
    const { payload } = await signAndVerify({ method: 'POST', url: '/v1/x', body: slice });
    expect(payload['bodyHash']).toBe(sha256Hex('{"a":1}'));
  });

  it('hashes multi-byte UTF-8 bodies byte for byte', async () => {
    const body = Buffer.from('{"note":"café ✓"}', 'utf8');
    const { payload } = await signAndVerify({ method: 'POST', url: '/v1/x', body });
    expect(payload['bodyHash']).toBe(sha256Hex(Buffer.from('{"note":"café ✓"}', 'utf8')));
  });
});

describe('the nonce option', () => {
  it('adds a nonce claim unique per token with nonce: true', async () => {
    const s = signer({ nonce: true });
    const nonces = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      const { payload } = verifyToken(bearerToken(await s.sign({ method: 'GET', url: '/v1/x' })), publicKey, FIXED_IAT);
      expect(Object.keys(payload).sort()).toEqual(['bodyHash', 'exp', 'iat', 'nonce', 'sub', 'uri']);
      expect(typeof payload['nonce']).toBe('string');
      expect((payload['nonce'] as string).length).toBeGreaterThan(0);
      nonces.add(payload['nonce']);
    }
    expect(nonces.size).toBe(20);
  });

  it('uses the value of a nonce function', async () => {
    const { payload } = await signAndVerify({ method: 'GET', url: '/v1/x' }, { nonce: () => 'x' });
    expect(payload).toStrictEqual({
      uri: '/v1/x',
      iat: FIXED_IAT,
      exp: FIXED_IAT + 55,
      sub: apiKey,
      bodyHash: sha256Hex('{}'),
      nonce: 'x',
    });
  });

  it('calls the nonce function once per token', async () => {
    let n = 0;
    const s = signer({ nonce: () => `n-${++n}` });
    const first = verifyToken(bearerToken(await s.sign({ method: 'GET', url: '/' })), publicKey, FIXED_IAT);
    const second = verifyToken(bearerToken(await s.sign({ method: 'GET', url: '/' })), publicKey, FIXED_IAT);
    expect([first.payload['nonce'], second.payload['nonce']]).toEqual(['n-1', 'n-2']);
  });

  it('adds no nonce with nonce: false', async () => {
    const { payload } = await signAndVerify({ method: 'GET', url: '/v1/x' }, { nonce: false });
    expect(payload).not.toHaveProperty('nonce');
  });
});

describe('the returned headers', () => {
  it('are only Authorization by default', async () => {
    const headers = await signer().sign({ method: 'GET', url: '/v1/x' });
    expect(Object.keys(headers)).toEqual(['Authorization']);
    expect(headers['Authorization']).toMatch(/^Bearer /);
  });

  it("also carry the api key in the header named by apiKeyHeader: 'X-API-Key'", async () => {
    const headers = await signer({ apiKeyHeader: 'X-API-Key' }).sign({ method: 'GET', url: '/v1/x' });
    expect(Object.keys(headers).sort()).toEqual(['Authorization', 'X-API-Key']);
    expect(headers['X-API-Key']).toBe(apiKey);
    expect(verifyToken(bearerToken(headers), publicKey, FIXED_IAT).payload.sub).toBe(apiKey);
  });
});

describe('sign() refuses a request it cannot sign', () => {
  const s = signer();
  const cases: Array<[string, unknown]> = [
    ['an absolute URL', { method: 'GET', url: 'https://api.example.com/v1/x' }],
    ['a url with a fragment', { method: 'GET', url: '/v1/x#section' }],
    ['a url with a space', { method: 'GET', url: '/v1/a b' }],
    ['a url with a non-ASCII character', { method: 'GET', url: '/v1/café' }],
    ['a url with a tab', { method: 'GET', url: '/v1/a\tb' }],
    ['a url not starting with a slash', { method: 'GET', url: 'v1/x' }],
    ['an empty url', { method: 'GET', url: '' }],
    ['a missing url', { method: 'GET' }],
    ['a body given as a string', { method: 'POST', url: '/v1/x', body: '{"a":1}' }],
    ['a body given as an object', { method: 'POST', url: '/v1/x', body: { a: 1 } }],
    ['a missing method', { url: '/v1/x' }],
    ['an empty method', { method: '', url: '/v1/x' }],
    ['a method with a space', { method: 'GE T', url: '/v1/x' }],
    ['no request at all', undefined],
  ];
  it.each(cases)('rejects %s with ERR_INVALID_REQUEST', async (_name, request) => {
    await rejectedSignetError(s.sign(request as SignableRequest), 'ERR_INVALID_REQUEST');
  });

  it('still signs the same url once it is percent-encoded', async () => {
    const { payload } = await signAndVerify({ method: 'GET', url: '/v1/caf%C3%A9?q=a%20b' });
    expect(payload.uri).toBe('/v1/caf%C3%A9?q=a%20b');
  });
});
