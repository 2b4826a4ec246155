import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { type JwtClaims, jwtSigner } from '@signet/core';
import { bearerToken } from './helpers.js';

// jwtSigner serializes static claims once and appends each token's times to that text: every token must still be,
// byte for byte, the JWS of JSON.stringify of the same claims object (HS256 is deterministic), made here with
// node:crypto, and jsonwebtoken must verify it to exactly those claims.
const SECRET = 'a shared secret of at least 32 bytes!';
const NOW = 1_700_000_000;
const clock = (): number => NOW * 1000 + 999;
const REQUEST = { method: 'GET', url: '/' };

const mint = async (claims: JwtClaims, options: { issuedAt?: boolean; expiresInSeconds?: number | false } = {}): Promise<string> =>
  bearerToken(await jwtSigner({ algorithm: 'HS256', key: SECRET, clock, claims, ...options }).sign(REQUEST));
const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const reference = (payload: object): string => {
  const input = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify(payload))}`;
  const token = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
  expect(jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: NOW, ignoreExpiration: false })).toEqual(JSON.parse(JSON.stringify(payload)));
  return token;
};

describe('jwtSigner with static claims', () => {
  it.each<[string, JwtClaims]>([
    ['no claims', {}],
    ['flat claims', { sub: 'svc', role: 'admin' }],
    ['nested, unicode and escapes', { sub: 'ü 🚀', scope: ['a', 'b'], meta: { quote: '"\\\n', n: 1.5, none: null } }],
    ['undefined values, dropped as JSON drops them', { sub: 'svc', gone: undefined }],
  ])('%s: the token jsonwebtoken makes of the same claims', async (_name, claims) => {
    expect(await mint(claims)).toBe(reference({ ...claims, iat: NOW, exp: NOW + 300 }));
  });

  it('with issuedAt: false, with expiresInSeconds: false, and with neither', async () => {
    expect(await mint({ sub: 'svc' }, { issuedAt: false })).toBe(reference({ sub: 'svc', exp: NOW + 300 }));
    expect(await mint({ sub: 'svc' }, { expiresInSeconds: false })).toBe(reference({ sub: 'svc', iat: NOW }));
    expect(await mint({ sub: 'svc' }, { issuedAt: false, expiresInSeconds: false })).toBe(reference({ sub: 'svc' }));
    expect(await mint({}, { issuedAt: false, expiresInSeconds: false })).toBe(reference({}));
  });

  it('claims that hold iat or exp themselves keep their place, and Signet sets the values', async () => {
    expect(await mint({ iat: 1, sub: 'svc' })).toBe(reference({ iat: NOW, sub: 'svc', exp: NOW + 300 }));
    expect(await mint({ exp: 1, sub: 'svc' })).toBe(reference({ exp: NOW + 300, sub: 'svc', iat: NOW }));
  });

  it('are read once, at construction: changing the object later changes no token', async () => {
    const claims: JwtClaims = { sub: 'svc' };
    const signer = jwtSigner({ algorithm: 'HS256', key: SECRET, clock, claims });
    claims['sub'] = 'someone-else';
    claims['admin'] = true;
    expect(bearerToken(await signer.sign(REQUEST))).toBe(reference({ sub: 'svc', iat: NOW, exp: NOW + 300 }));
  });
});
