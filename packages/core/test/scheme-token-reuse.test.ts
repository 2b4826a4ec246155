import { type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Algorithm, JwtPayload } from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { inProcessKey, jwtSigner, portOneSigner, twoCheckoutSigner } from '@signet/core';
import type { Clock, SignableRequest, Signer, SigningKey } from '@signet/core';
import { testKeys } from '@signet/test-support';

const T = 1_700_000_000; // seconds; 2023-11-14T22:13:20Z
const REQUEST: SignableRequest = { method: 'GET', url: '/reuse' };

const PORTONE_SECRET = 'portone-reuse-secret';
const TWOCHECKOUT_SECRET = 'two-checkout-reuse-secret';
const JWT_SECRET = 'jwt-reuse-secret-that-is-32-bytes!!';
const p256 = testKeys().p256;

/** A clock the test sets, in seconds; reads return milliseconds part-way into the second. */
function setClock(startSeconds: number): { clock: Clock; set(seconds: number): void } {
  let now = startSeconds;
  return { clock: () => now * 1000 + 250, set: (seconds) => (now = seconds) };
}

/** A clock that moves one second forward every time it is read; the first read is `startSeconds + 1`. */
function steppingClock(startSeconds: number): Clock {
  let now = startSeconds * 1000;
  return () => (now += 1000);
}

interface Scheme {
  name: string;
  /** A signer of this scheme with a 100-second lifetime and the given clock and extra options. */
  make(clock: Clock, extra?: Record<string, unknown>): Signer;
  tokenOf(headers: Record<string, string>): string;
  /** jsonwebtoken's verification of the token as of `now`. */
  verify(token: string, now: number): JwtPayload;
}

const bearer = (value: string | undefined): string => {
  expect(value).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  return String(value).slice('Bearer '.length);
};

const verifyWith =
  (secret: string | KeyObject, algorithm: Algorithm) =>
  (token: string, now: number): JwtPayload =>
    jwt.verify(token, secret, { algorithms: [algorithm], clockTimestamp: now }) as JwtPayload;

const schemes: Scheme[] = [
  {
    name: 'portOneSigner',
    make: (clock, extra = {}) => portOneSigner({ clientKey: 'ck_reuse', secretKey: PORTONE_SECRET, clock, ...extra }),
    tokenOf: (headers) => bearer(headers['Authorization']),
    verify: verifyWith(PORTONE_SECRET, 'HS256'),
  },
  {
    name: 'twoCheckoutSigner',
    make: (clock, extra = {}) => twoCheckoutSigner({ merchantCode: 'MERCH_REUSE', secretWord: TWOCHECKOUT_SECRET, expiresInSeconds: 100, clock, ...extra }),
    tokenOf: (headers) => String(headers['merchant-token']),
    verify: verifyWith(TWOCHECKOUT_SECRET, 'HS512'),
  },
  {
    name: 'jwtSigner HS256 with static claims',
    make: (clock, extra = {}) => jwtSigner({ algorithm: 'HS256', key: JWT_SECRET, claims: { sub: 'svc-reuse' }, expiresInSeconds: 100, clock, ...extra }),
    tokenOf: (headers) => bearer(headers['Authorization']),
    verify: verifyWith(JWT_SECRET, 'HS256'),
  },
  {
    name: 'jwtSigner ES256 with static claims (signed off the event loop)',
    make: (clock, extra = {}) => jwtSigner({ algorithm: 'ES256', key: p256.privateKey, claims: { sub: 'svc-reuse' }, expiresInSeconds: 100, clock, ...extra }),
    tokenOf: (headers) => bearer(headers['Authorization']),
    verify: verifyWith(p256.publicKey, 'ES256'),
  },
];

describe.each(schemes)('$name', (scheme) => {
  const signAt = async (signer: Signer): Promise<string> => scheme.tokenOf(await signer.sign(REQUEST));

  it('gives every request a fresh token by default', async () => {
    const signer = scheme.make(steppingClock(T));
    const tokens = [await signAt(signer), await signAt(signer), await signAt(signer)];
    expect(new Set(tokens).size).toBe(3);
    tokens.forEach((token, i) => {
      const claims = scheme.verify(token, T + 3);
      expect(claims.iat).toBe(T + 1 + i);
      expect(claims.exp).toBe(T + 1 + i + 100);
    });
  });

  it('with reuseWithinSeconds: 20 reuses one token until 20 seconds before its exp, then mints a new one', async () => {
    const { clock, set } = setClock(T);
    const signer = scheme.make(clock, { reuseWithinSeconds: 20 });
    const first = await signAt(signer);
    set(T + 50);
    expect(await signAt(signer)).toBe(first);
    set(T + 79);
    expect(await signAt(signer)).toBe(first);
    expect(scheme.verify(first, T + 79)).toMatchObject({ iat: T, exp: T + 100 });

    set(T + 80);
    const second = await signAt(signer);
    expect(second).not.toBe(first);
    expect(scheme.verify(second, T + 80)).toMatchObject({ iat: T + 80, exp: T + 180 });
    set(T + 159);
    expect(await signAt(signer)).toBe(second);
  });

  it('mints a new token when the clock moves back before the cached token was issued', async () => {
    const { clock, set } = setClock(T);
    const signer = scheme.make(clock, { reuseWithinSeconds: 20 });
    const first = await signAt(signer);
    set(T - 10);
    const earlier = await signAt(signer);
    expect(earlier).not.toBe(first);
    expect(scheme.verify(earlier, T - 10)).toMatchObject({ iat: T - 10, exp: T + 90 });
  });

  it('shares one token among 50 concurrent sign() calls made before any resolves', async () => {
    // The clock moves on at every read: without sharing, each call would mint its own token.
    const signer = scheme.make(steppingClock(T), { reuseWithinSeconds: 20 });
    const pending = Array.from({ length: 50 }, () => signer.sign(REQUEST));
    const tokens = (await Promise.all(pending)).map((headers) => scheme.tokenOf(headers));
    expect(new Set(tokens).size).toBe(1);
    expect(scheme.verify(tokens[0] as string, T + 1)).toMatchObject({ iat: T + 1, exp: T + 101 });
  });

  it('without reuseWithinSeconds, 50 concurrent sign() calls on a moving clock get 50 tokens', async () => {
    const signer = scheme.make(steppingClock(T));
    const tokens = (await Promise.all(Array.from({ length: 50 }, () => signer.sign(REQUEST)))).map((headers) => scheme.tokenOf(headers));
    expect(new Set(tokens).size).toBe(50);
  });
});

describe('a failed mint is not cached', () => {
  /** A key that fails its first signature (a backend's hiccup), then signs as the in-process key does. */
  function flakyKey(algorithm: 'HS256' | 'ES256', key: string | KeyObject): SigningKey {
    const real = inProcessKey({ algorithm, key });
    let calls = 0;
    return {
      algorithm,
      sign: (data) => (++calls === 1 ? Promise.reject(new Error('signing backend unavailable')) : real.sign(data)),
    };
  }

  it.each([
    ['HS256', JWT_SECRET, JWT_SECRET],
    ['ES256', p256.privateKey, p256.publicKey],
  ] as const)('%s: after a failed first mint, the next call mints a token that is then reused', async (algorithm, key, verifyKey) => {
    const signer = jwtSigner({ algorithm, key: flakyKey(algorithm, key), claims: { sub: 'svc-flaky', tenant: 'acme' }, expiresInSeconds: 100, reuseWithinSeconds: 20, clock: steppingClock(T) });
    await expect(signer.sign(REQUEST)).rejects.toMatchObject({ code: 'ERR_SIGNING_FAILED' });
    const second = bearer((await signer.sign(REQUEST))['Authorization']);
    const third = bearer((await signer.sign(REQUEST))['Authorization']);
    expect(third).toBe(second);
    const claims = jwt.verify(second, verifyKey, { algorithms: [algorithm], clockTimestamp: T + 3 }) as JwtPayload;
    expect(claims).toEqual({ sub: 'svc-flaky', tenant: 'acme', iat: T + 2, exp: T + 102 });
  });
});
