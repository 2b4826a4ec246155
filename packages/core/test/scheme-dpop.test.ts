import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dpopSigner, decodeJwt } from '@signet/core';

// The DPoP signer's own contract: options, the request it needs, and how it learns server nonces. What its proofs
// look like on the wire is checked with jose in interop/dpop.

const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const request = { method: 'GET', url: '/r?q=1', origin: 'https://a.example' };
const proofOf = async (signer: ReturnType<typeof dpopSigner>, req: object = request) => decodeJwt((await signer.sign(req as never))['DPoP'] as string);

describe('dpopSigner options', () => {
  it('refuses a MAC algorithm, a key of another type, and a misspelled option', () => {
    expect(() => dpopSigner({ privateKey, algorithm: 'HS256' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => dpopSigner({ privateKey, algorithm: 'RS256' })).toThrow(expect.objectContaining({ code: 'ERR_KEY_TYPE' }));
    expect(() => dpopSigner({ privateKey, acessToken: 't' } as never)).toThrow(/accessToken/);
  });

  it('refuses an RSA-PSS-restricted key, which cannot be written as a JWK, naming the key kind only', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    expect(() => dpopSigner({ privateKey: pss, algorithm: 'PS256' })).toThrow(expect.objectContaining({ code: 'ERR_KEY_TYPE' }));
  });

  it('refuses an access token with a control character without echoing it', async () => {
    const signer = dpopSigner({ privateKey, accessToken: () => 'secret-token\r\nX: y' });
    const error = await signer.sign(request).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION' });
    expect(inspect(error, { depth: 5 }) + JSON.stringify(error)).not.toContain('secret-token');
  });

  it('needs the request origin, which a proof names in htu', async () => {
    await expect(dpopSigner({ privateKey }).sign({ method: 'GET', url: '/r' })).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' });
    await expect(dpopSigner({ privateKey }).sign({ ...request, origin: 'https://a.example/path' })).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' });
  });

  it('puts only the public key in jwk, and reads a token function per request', async () => {
    let n = 0;
    const signer = dpopSigner({ privateKey, accessToken: () => `token-${++n}` });
    const first = await signer.sign(request);
    const second = await signer.sign(request);
    expect([first['Authorization'], second['Authorization']]).toEqual(['DPoP token-1', 'DPoP token-2']);
    const { header } = decodeJwt(first['DPoP'] as string);
    expect(Object.keys(header['jwk'] as object).sort()).toEqual(['crv', 'kty', 'x', 'y']);
  });
});

describe('dpopSigner learns server nonces through onResponse', () => {
  const use401 = { 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce"', 'dpop-nonce': 'n-1' };

  it('asks for a retry on 401 use_dpop_nonce, and then sends the nonce to that origin only', async () => {
    const signer = dpopSigner({ privateKey });
    expect(await signer.onResponse({ origin: 'https://a.example', status: 401, headers: use401 })).toBe('retry');
    expect((await proofOf(signer)).payload['nonce']).toBe('n-1');
    expect((await proofOf(signer, { ...request, origin: 'https://b.example' })).payload).not.toHaveProperty('nonce');
  });

  it('asks for a retry on a 400 whose JSON error is use_dpop_nonce, not on another 400 or a Bearer challenge', async () => {
    const signer = dpopSigner({ privateKey });
    const body = (text: string) => () => Promise.resolve(text);
    expect(await signer.onResponse({ origin: 'https://a.example', status: 400, headers: { 'dpop-nonce': 'n' }, body: body('{"error":"use_dpop_nonce"}') })).toBe('retry');
    expect(await signer.onResponse({ origin: 'https://a.example', status: 400, headers: { 'dpop-nonce': 'n' }, body: body('{"error":"invalid_grant"}') })).toBeUndefined();
    expect(await signer.onResponse({ origin: 'https://a.example', status: 400, headers: { 'dpop-nonce': 'n' }, body: body('not json') })).toBeUndefined();
    expect(await signer.onResponse({ origin: 'https://a.example', status: 401, headers: { 'www-authenticate': 'Bearer error="use_dpop_nonce"', 'dpop-nonce': 'n' } })).toBeUndefined();
    expect(await signer.onResponse({ origin: 'https://a.example', status: 401, headers: { 'www-authenticate': use401['www-authenticate'] } })).toBeUndefined();
  });

  it('ignores a DPoP-Nonce outside the NQCHAR syntax (RFC 9449 §8.1)', async () => {
    const signer = dpopSigner({ privateKey });
    expect(await signer.onResponse({ origin: 'https://a.example', status: 401, headers: { ...use401, 'dpop-nonce': 'bad "nonce"' } })).toBeUndefined();
    expect((await proofOf(signer)).payload).not.toHaveProperty('nonce');
  });
});
