import { generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { inspect } from 'node:util';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { inProcessKey, jwtSigner, requestSigner } from '@signet/core';
import { testKeys } from '@signet/test-support';
import { ALGORITHMS } from '../src/algorithm-registry.js';
import { isLowS } from '../src/ecdsa.js';
import { bearerToken, pemBody, sha256Hex, thrownSignetError } from './helpers.js';

// Issue 12: a key in this process is one implementation of SigningKey. Checked against jsonwebtoken, jose and
// node:crypto, never against Signet's own output.
const keys = testKeys();
const SECRET = 'a shared secret of at least 32 bytes!';
const clock = (): number => 1_700_000_000_000;

describe('inProcessKey', () => {
  it('RS256 and HS256 tokens through jwtSigner are byte for byte jsonwebtoken’s', async () => {
    for (const [algorithm, key, raw] of [
      ['RS256', inProcessKey({ algorithm: 'RS256', key: keys.rsa.privateKeyPem }), keys.rsa.privateKey],
      ['HS256', inProcessKey({ algorithm: 'HS256', key: SECRET }), SECRET],
    ] as const) {
      const token = bearerToken(await jwtSigner({ algorithm, key, clock, claims: { sub: 'svc' } }).sign({ method: 'GET', url: '/' }));
      expect(token).toBe(jwt.sign({ sub: 'svc', iat: 1_700_000_000, exp: 1_700_000_300 }, raw, { algorithm }));
    }
  });

  it('requestSigner takes an RS256 in-process key: the token verifies for the exact uri and body', async () => {
    const key = inProcessKey({ algorithm: 'RS256', key: keys.rsa.privateKey, offload: 'always' });
    const body = Buffer.from('{"amount":1}');
    const token = bearerToken(await requestSigner({ apiKey: 'ak', privateKey: key }).sign({ method: 'POST', url: '/v1/pay?x=1', body }));
    expect(jwt.verify(token, keys.rsa.publicKey, { algorithms: ['RS256'] })).toMatchObject({ uri: '/v1/pay?x=1', sub: 'ak', bodyHash: sha256Hex(body) });
  });

  it('ES256, ES384 and EdDSA tokens verify with jose; ECDSA is low-S', async () => {
    for (const [algorithm, pair] of [
      ['ES256', keys.p256],
      ['ES384', keys.p384],
      ['EdDSA', keys.ed25519],
    ] as const) {
      const key = inProcessKey({ algorithm, key: pair.privateKeyPem });
      for (let i = 0; i < 8; i++) {
        const token = bearerToken(await jwtSigner({ algorithm, key, claims: { i } }).sign({ method: 'GET', url: '/' }));
        await expect(jwtVerify(token, pair.publicKey, { algorithms: [algorithm] })).resolves.toMatchObject({ payload: { i } });
        if (algorithm !== 'EdDSA') expect(isLowS(Buffer.from(token.split('.')[2] as string, 'base64url'), ALGORITHMS[algorithm].curveOrder as bigint)).toBe(true);
      }
    }
  });

  it('sign() called directly returns raw JWS signature bytes: RSA equal to crypto.sign, ECDSA r || s that crypto.verify accepts', async () => {
    const data = new TextEncoder().encode('header.payload');
    const rsa = await inProcessKey({ algorithm: 'RS256', key: keys.rsa.privateKey }).sign(data);
    expect(Buffer.from(rsa)).toEqual(cryptoSign('sha256', data, keys.rsa.privateKey));
    const ec = await inProcessKey({ algorithm: 'ES256', key: keys.p256.privateKey }).sign(data);
    expect(ec).toHaveLength(64);
    expect(cryptoVerify('sha256', data, { key: keys.p256.publicKey, dsaEncoding: 'ieee-p1363' }, ec)).toBe(true);
  });

  it('checks the key once, at construction, with the codes of jwtSigner', () => {
    thrownSignetError(() => inProcessKey({ algorithm: 'RS256', key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey }), 'ERR_KEY_TOO_SMALL');
    thrownSignetError(() => inProcessKey({ algorithm: 'RS256', key: keys.rsa.publicKeyPem }), 'ERR_KEY_NOT_PRIVATE');
    thrownSignetError(() => inProcessKey({ algorithm: 'ES256', key: keys.rsa.privateKeyPem }), 'ERR_KEY_TYPE');
    thrownSignetError(() => inProcessKey({ algorithm: 'HS256', key: 'short' }), 'ERR_KEY_TOO_SMALL');
    thrownSignetError(() => inProcessKey({ algorithm: 'HS256', key: keys.rsa.privateKeyPem }), 'ERR_KEY_TYPE');
    thrownSignetError(() => inProcessKey({ algorithm: 'RS999' as 'RS256', key: keys.rsa.privateKeyPem }), 'ERR_INVALID_OPTION');
    thrownSignetError(() => inProcessKey({ algorithm: 'RS256', key: keys.rsa.privateKeyPem, offload: 'never' as 'auto' }), 'ERR_INVALID_OPTION');
    // A key for one algorithm is refused by a signer of another, at the signer's construction.
    thrownSignetError(() => requestSigner({ apiKey: 'ak', privateKey: inProcessKey({ algorithm: 'ES256', key: keys.p256.privateKey }) }), 'ERR_KEY_TYPE');
    thrownSignetError(() => jwtSigner({ algorithm: 'RS384', key: inProcessKey({ algorithm: 'RS256', key: keys.rsa.privateKey }) }), 'ERR_KEY_TYPE');
  });

  it('shows no key material when logged or serialized', () => {
    const key = inProcessKey({ algorithm: 'RS256', key: keys.rsa.privateKeyPem });
    const secretKey = inProcessKey({ algorithm: 'HS256', key: SECRET });
    const renderings = [inspect(key, { depth: Infinity, showHidden: true }), JSON.stringify(key), inspect(secretKey, { depth: Infinity, showHidden: true }), JSON.stringify(secretKey)].join('\n');
    expect(renderings).not.toContain(pemBody(keys.rsa.privateKeyPem).slice(0, 40));
    expect(renderings).not.toContain(SECRET);
    expect(Object.isFrozen(key)).toBe(true);
  });
});
