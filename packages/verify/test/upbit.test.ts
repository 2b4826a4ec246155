import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { upbitSigner } from '@signet/core';
import { memoryReplayStore, upbitVerifier } from '@signet/verify';

const ACCESS_KEY = 'ak-test';
const SECRET = 'upbit-secret-for-tests';
const signer = upbitSigner({ accessKey: ACCESS_KEY, secretKey: SECRET });
const empty = Buffer.alloc(0);

async function bearer(method: string, url: string, body?: Buffer) {
  return (await signer.sign({ method, url, body })).Authorization as string;
}

/** An HS256 token minted by hand (node:crypto), for claims Signet's signer would never write. */
function handToken(claims: object, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `Bearer ${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

describe('upbitVerifier refuses what the token does not bind', () => {
  const verifier = upbitVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET });

  it('a changed query value, an added or a dropped parameter: ERR_URI_MISMATCH', async () => {
    const authorization = await bearer('GET', '/v1/orders?market=KRW-BTC&states%5B%5D=wait');
    for (const url of ['/v1/orders?market=KRW-ETH&states%5B%5D=wait', '/v1/orders?market=KRW-BTC&states%5B%5D=wait&states%5B%5D=done', '/v1/orders?market=KRW-BTC']) {
      await expect(verifier.verify({ method: 'GET', url, headers: { authorization }, body: empty })).rejects.toBeSignetError('ERR_URI_MISMATCH');
    }
    await expect(verifier.verify({ method: 'GET', url: '/v1/orders?market=KRW-BTC&states%5B%5D=wait', headers: { authorization }, body: empty })).resolves.toMatchObject({ access_key: ACCESS_KEY });
  });

  it('the same parameters in another encoding pass (the server hashes what it decodes)', async () => {
    const authorization = await bearer('GET', '/v1/orders?memo=%EC%9E%84+a');
    await expect(verifier.verify({ method: 'GET', url: '/v1/orders?memo=%EC%9E%84%20a', headers: { authorization }, body: empty })).resolves.toBeDefined();
  });

  it('a changed JSON body: ERR_BODY_HASH_MISMATCH; a token for no parameters on a request with some: refused', async () => {
    const body = Buffer.from(JSON.stringify({ market: 'KRW-BTC', price: '100' }));
    const authorization = await bearer('POST', '/v1/orders', body);
    const changed = Buffer.from(JSON.stringify({ market: 'KRW-BTC', price: '1000' }));
    await expect(verifier.verify({ method: 'POST', url: '/v1/orders', headers: { authorization }, body: changed })).rejects.toBeSignetError('ERR_BODY_HASH_MISMATCH');
    const bare = await bearer('GET', '/v1/accounts');
    await expect(verifier.verify({ method: 'POST', url: '/v1/orders', headers: { authorization: bare }, body })).rejects.toBeSignetError('ERR_BODY_HASH_MISMATCH');
    await expect(verifier.verify({ method: 'GET', url: '/v1/orders?market=KRW-BTC', headers: { authorization: bare }, body: empty })).rejects.toBeSignetError('ERR_URI_MISMATCH');
  });

  it('alg none, a wrong secret, an unknown access key, a token without nonce', async () => {
    const claims = { access_key: ACCESS_KEY, nonce: 'n-1' };
    const none = `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    await expect(verifier.verify({ method: 'GET', url: '/v1/accounts', headers: { authorization: none }, body: empty })).rejects.toBeSignetError('ERR_ALGORITHM_NOT_ALLOWED');
    const forged = (await upbitSigner({ accessKey: ACCESS_KEY, secretKey: 'another-secret' }).sign({ method: 'GET', url: '/v1/accounts' })).Authorization as string;
    await expect(verifier.verify({ method: 'GET', url: '/v1/accounts', headers: { authorization: forged }, body: empty })).rejects.toBeSignetError('ERR_SIGNATURE_INVALID');
    // An unknown access key is answered as a bad signature (onReject alone is told ERR_UNKNOWN_KEY).
    const codes: string[] = [];
    const told = upbitVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET, onReject: (rejection) => codes.push(rejection.code) });
    const stranger = (await upbitSigner({ accessKey: 'someone-else', secretKey: SECRET }).sign({ method: 'GET', url: '/v1/accounts' })).Authorization as string;
    await expect(told.verify({ method: 'GET', url: '/v1/accounts', headers: { authorization: stranger }, body: empty })).rejects.toBeSignetError('ERR_SIGNATURE_INVALID');
    expect(codes).toEqual(['ERR_UNKNOWN_KEY']);
    await expect(verifier.verify({ method: 'GET', url: '/v1/accounts', headers: { authorization: handToken({ access_key: ACCESS_KEY }) }, body: empty })).rejects.toBeSignetError('ERR_NONCE_REQUIRED');
    await expect(verifier.verify({ method: 'GET', url: '/v1/accounts', headers: { authorization: handToken(claims) }, body: empty })).resolves.toBeDefined();
  });

  it('with a replay store, each nonce once', async () => {
    const guarded = upbitVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET, replay: memoryReplayStore() });
    const authorization = await bearer('GET', '/v1/orders?market=KRW-BTC');
    const request = { method: 'GET', url: '/v1/orders?market=KRW-BTC', headers: { authorization }, body: empty };
    await expect(guarded.verify(request)).resolves.toBeDefined();
    await expect(guarded.verify(request)).rejects.toBeSignetError('ERR_TOKEN_REPLAYED');
  });

  it('explains a query mismatch to onReject without the token or the secret', async () => {
    const seen: unknown[] = [];
    const explaining = upbitVerifier({ accessKey: ACCESS_KEY, secretKey: SECRET, onReject: (rejection) => seen.push(rejection) });
    const authorization = await bearer('GET', '/v1/orders?market=KRW-BTC');
    await expect(explaining.verify({ method: 'GET', url: '/v1/orders?market=KRW-ETH', headers: { authorization }, body: empty })).rejects.toBeSignetError('ERR_URI_MISMATCH');
    const text = JSON.stringify(seen);
    expect(text).toContain('query_hash');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(authorization.slice(7));
  });
});

describe('upbitSigner refuses requests it cannot bind', () => {
  it('a body that is not a JSON object or a form, parameters in both query and body, a bad escape', async () => {
    await expect(signer.sign({ method: 'POST', url: '/v1/orders', body: Buffer.from('[1,2]') })).rejects.toBeSignetError('ERR_INVALID_REQUEST');
    await expect(signer.sign({ method: 'POST', url: '/v1/orders', body: Buffer.from([0xff, 0x00]) })).rejects.toBeSignetError('ERR_INVALID_REQUEST');
    await expect(signer.sign({ method: 'POST', url: '/v1/orders', body: Buffer.from('{"a":{"b":1}}') })).rejects.toBeSignetError('ERR_INVALID_REQUEST');
    await expect(signer.sign({ method: 'POST', url: '/v1/orders?market=KRW-BTC', body: Buffer.from('{"price":"1"}') })).rejects.toBeSignetError('ERR_INVALID_REQUEST');
    await expect(signer.sign({ method: 'GET', url: '/v1/orders?memo=%FF' })).rejects.toBeSignetError('ERR_INVALID_REQUEST');
  });

  it('options: own properties only, a typed refusal naming the option, never the secret', () => {
    expect(() => upbitSigner({ accessKey: ACCESS_KEY, secretKey: SECRET, algorithm: 'RS256' as 'HS256' })).toThrow(/algorithm must be 'HS256' or 'HS512'/);
    try {
      upbitSigner({ accessKey: ACCESS_KEY, secretKey: SECRET, secret: SECRET } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeSignetError('ERR_INVALID_OPTION');
      expect(JSON.stringify(error) + String(error)).not.toContain(SECRET);
    }
  });
});
