import { createHash, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { dpopVerifier } from '@signet/verify';

// Every RFC 9449 §4.3 check, each attacked with a proof jose signs (never Signet's own signer), so the verifier is
// tested against what a client or an attacker could really send.

const NOW = 1_700_000_000;
const ORIGIN = 'https://api.example.com';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const empty = new Uint8Array(0);
const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');

let counter = 0;
async function proof(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: Parameters<SignJWT['sign']>[0] = privateKey): Promise<string> {
  return new SignJWT({ jti: `jti-${++counter}`, htm: 'POST', htu: `${ORIGIN}/v1/pay`, iat: NOW, ...claims }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk, ...header }).sign(key);
}

function verifier(options: Partial<Parameters<typeof dpopVerifier>[0]> = {}) {
  return dpopVerifier({ origin: ORIGIN, clock: () => NOW * 1000, ...options });
}

const request = (dpop: string | string[], extra: Record<string, string> = {}, url = '/v1/pay?x=1') => ({ method: 'POST', url, headers: { dpop, ...extra }, body: empty });

describe('dpopVerifier refuses what RFC 9449 §4.3 refuses', () => {
  it('accepts a well-formed proof (the baseline every refusal below departs from)', async () => {
    expect(await verifier().verify(request(await proof()))).toMatchObject({ htm: 'POST', jkt: await calculateJwkThumbprint(jwk as never) });
  });

  it('refuses a request without a DPoP header, or with two', async () => {
    await expect(verifier().verify({ method: 'POST', url: '/v1/pay', headers: {}, body: empty })).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
    await expect(verifier().verify(request([await proof(), await proof()]))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
  });

  it('refuses a typ other than dpop+jwt, and a missing typ', async () => {
    await expect(verifier().verify(request(await proof({}, { typ: 'JWT' })))).rejects.toMatchObject({ code: 'ERR_TOKEN_TYPE' });
    await expect(verifier().verify(request(await proof({}, { typ: undefined })))).rejects.toMatchObject({ code: 'ERR_TOKEN_TYPE' });
  });

  it('refuses a MAC algorithm, even with the key material sent as an oct jwk', async () => {
    const secret = createSecretKey(Buffer.alloc(32, 7));
    const forged = await proof({}, { alg: 'HS256', jwk: { kty: 'oct', k: secret.export().toString('base64url') } }, secret);
    await expect(verifier().verify(request(forged))).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
  });

  it('refuses alg none', async () => {
    const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ jti: 'x', htm: 'POST', htu: `${ORIGIN}/v1/pay`, iat: NOW })).toString('base64url');
    await expect(verifier().verify(request(`${header}.${payload}.`))).rejects.toMatchObject({ code: expect.stringMatching(/ERR_ALGORITHM_NOT_ALLOWED|ERR_JWT_MALFORMED/) });
  });

  it('refuses a jwk that holds the private key, even though the signature verifies', async () => {
    const withPrivate = privateKey.export({ format: 'jwk' });
    await expect(verifier().verify(request(await proof({}, { jwk: withPrivate })))).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' });
  });

  it('refuses a proof signed by another key than its jwk', async () => {
    await expect(verifier().verify(request(await proof({}, {}, attacker.privateKey)))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
  });

  it('refuses an ES256 proof whose jwk is on another curve, before looking at the signature', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: p384 })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ jti: 'c', htm: 'POST', htu: `${ORIGIN}/v1/pay`, iat: NOW })).toString('base64url');
    await expect(verifier().verify(request(`${header}.${payload}.${Buffer.alloc(64, 1).toString('base64url')}`))).rejects.toMatchObject({ code: 'ERR_ALGORITHM_NOT_ALLOWED' });
  });

  it('refuses another method (htm is compared exactly)', async () => {
    await expect(verifier().verify(request(await proof({ htm: 'GET' })))).rejects.toMatchObject({ code: 'ERR_METHOD_MISMATCH' });
    await expect(verifier().verify(request(await proof({ htm: 'post' })))).rejects.toMatchObject({ code: 'ERR_METHOD_MISMATCH' });
  });

  it('refuses another origin, scheme, port or path in htu', async () => {
    for (const htu of ['https://evil.example.com/v1/pay', 'http://api.example.com/v1/pay', 'https://api.example.com:8443/v1/pay', 'https://api.example.com/v1/pay/2', 'https://api.example.com/v1/PAY', 'not a uri']) {
      await expect(verifier().verify(request(await proof({ htu }))), htu).rejects.toMatchObject({ code: 'ERR_URI_MISMATCH' });
    }
  });

  it('accepts htu spellings that RFC 3986 normalization makes equal, and ignores query and fragment', async () => {
    for (const htu of ['HTTPS://API.Example.COM:443/v1/pay', 'https://api.example.com/v1/./x/../pay', 'https://api.example.com/v1/p%61y', 'https://api.example.com/v1/pay?x=2#f']) {
      await expect(verifier().verify(request(await proof({ htu }))), htu).resolves.toMatchObject({ htu });
    }
    await expect(verifier().verify(request(await proof({ htu: `${ORIGIN}/caf%c3%a9` }), {}, '/caf%C3%A9'))).resolves.toBeDefined();
  });

  it('refuses an iat older than maxAgeSeconds or in the future, beyond the tolerance', async () => {
    await expect(verifier().verify(request(await proof({ iat: NOW - 66 })))).rejects.toMatchObject({ code: 'ERR_TOKEN_EXPIRED' });
    await expect(verifier().verify(request(await proof({ iat: NOW + 6 })))).rejects.toMatchObject({ code: 'ERR_TOKEN_FUTURE' });
    await expect(verifier().verify(request(await proof({ iat: NOW - 65 })))).resolves.toBeDefined();
    await expect(verifier().verify(request(await proof({ iat: String(NOW) })))).rejects.toMatchObject({ code: 'ERR_CLAIM_INVALID' });
  });

  it('refuses a proof without jti, htm or htu', async () => {
    for (const missing of ['jti', 'htm', 'htu']) {
      await expect(verifier().verify(request(await proof({ [missing]: undefined }))), missing).rejects.toMatchObject({ code: 'ERR_CLAIM_INVALID' });
    }
  });

  it('refuses a replayed jti by default, and another key may use the same jti', async () => {
    const check = verifier();
    const once = await proof({ jti: 'same' });
    await check.verify(request(once));
    await expect(check.verify(request(once))).rejects.toMatchObject({ code: 'ERR_TOKEN_REPLAYED' });
    // A fresh proof reusing the jti is refused too: the identity is (key, jti), not the signature.
    await expect(check.verify(request(await proof({ jti: 'same' })))).rejects.toMatchObject({ code: 'ERR_TOKEN_REPLAYED' });
    const other = attacker.publicKey.export({ format: 'jwk' });
    await expect(check.verify(request(await proof({ jti: 'same' }, { jwk: other }, attacker.privateKey)))).resolves.toBeDefined();
  });

  it('refuses an access token whose hash is not ath, and a proof without ath', async () => {
    await expect(verifier().verify(request(await proof({ ath: ath('token-1') }), { authorization: 'DPoP token-2' }))).rejects.toMatchObject({ code: 'ERR_TOKEN_BINDING_MISMATCH' });
    await expect(verifier().verify(request(await proof(), { authorization: 'DPoP token-1' }))).rejects.toMatchObject({ code: 'ERR_TOKEN_BINDING_MISMATCH' });
    await expect(verifier().verify(request(await proof({ ath: ath('token-1') }), { authorization: 'DPoP token-1' }))).resolves.toMatchObject({ ath: ath('token-1') });
  });

  it('with requireAccessToken, refuses a request without Authorization: DPoP (a Bearer one included)', async () => {
    await expect(verifier({ requireAccessToken: true }).verify(request(await proof()))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
    await expect(verifier({ requireAccessToken: true }).verify(request(await proof({ ath: ath('t') }), { authorization: 'Bearer t' }))).rejects.toMatchObject({ code: 'ERR_TOKEN_MISSING' });
  });

  it("refuses a proof whose key is not the access token's cnf.jkt, fixed or looked up", async () => {
    const bound = await calculateJwkThumbprint(attacker.publicKey.export({ format: 'jwk' }));
    await expect(verifier({ jkt: bound }).verify(request(await proof()))).rejects.toMatchObject({ code: 'ERR_TOKEN_BINDING_MISMATCH' });
    const lookup = verifier({ jkt: ({ accessToken }) => (accessToken === 'tok' ? bound : undefined) });
    await expect(lookup.verify(request(await proof({ ath: ath('tok') }), { authorization: 'DPoP tok' }))).rejects.toMatchObject({ code: 'ERR_TOKEN_BINDING_MISMATCH' });
    await expect(lookup.verify(request(await proof({ ath: ath('unknown') }), { authorization: 'DPoP unknown' }))).rejects.toMatchObject({ code: 'ERR_TOKEN_BINDING_MISMATCH' });
    const own = await calculateJwkThumbprint(jwk);
    await expect(verifier({ jkt: () => own }).verify(request(await proof({ ath: ath('tok') }), { authorization: 'DPoP tok' }))).resolves.toMatchObject({ jkt: own });
    await expect(
      verifier({
        jkt: () => {
          throw new Error('db down at 10.0.0.1');
        },
      }).verify(request(await proof())),
    ).rejects.toMatchObject({ code: 'ERR_KEY_LOOKUP_FAILED' });
  });

  it('with checkNonce, refuses a proof without the server nonce or with a stale one', async () => {
    const check = verifier({ checkNonce: (nonce) => nonce === 'current' });
    await expect(check.verify(request(await proof()))).rejects.toMatchObject({ code: 'ERR_DPOP_NONCE' });
    await expect(check.verify(request(await proof({ nonce: 'stale' })))).rejects.toMatchObject({ code: 'ERR_DPOP_NONCE' });
    await expect(check.verify(request(await proof({ nonce: 'current' })))).resolves.toMatchObject({ nonce: 'current' });
  });

  it('refuses bad options: a MAC algorithm, an origin with a path, no origin', () => {
    expect(() => dpopVerifier({ origin: ORIGIN, algorithms: ['HS256'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => dpopVerifier({ origin: `${ORIGIN}/v1` })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => dpopVerifier({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});
