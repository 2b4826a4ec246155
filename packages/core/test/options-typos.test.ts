import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner } from '@signet/core';
import { thrownSignetError } from './helpers.js';

// In plain JavaScript a misspelled option was silently ignored: `expiresIn: 30` left tokens at 55 s, `nonces: true`
// sent no nonce, and the API refused every call for reasons nobody could see. Each is now an error naming the option.

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const secret = randomBytes(64).toString('hex');

const typos: Array<[string, () => unknown, string, string]> = [
  ['requestSigner', () => requestSigner({ apiKey: 'ak', privateKey, expiresIn: 30 } as never), 'expiresIn', 'expiresInSeconds'],
  ['requestSigner', () => requestSigner({ apiKey: 'ak', privateKey, nonces: true } as never), 'nonces', 'nonce'],
  ['requestSigner', () => requestSigner({ apiKey: 'ak', privateKey, apiKeyHeaders: 'X-API-Key' } as never), 'apiKeyHeaders', 'apiKeyHeader'],
  ['requestSigner', () => requestSigner({ apiKey: 'ak', privateKey, clockOffset: 5 } as never), 'clockOffset', 'clockOffsetSeconds'],
  ['requestSigner', () => requestSigner({ apikey: 'ak', privateKey } as never), 'apikey', 'apiKey'],
  ['portOneSigner', () => portOneSigner({ clientKey: 'ck', secretKey: secret, iss: 'CHAIPAY' } as never), 'iss', 'issuer'],
  ['portOneSigner', () => portOneSigner({ clientKey: 'ck', secret, expiresIn: 30 } as never), 'secret', 'secretKey'],
  ['twoCheckoutSigner', () => twoCheckoutSigner({ merchantCode: 'mc', secretWord: secret, reuseWithin: 60 } as never), 'reuseWithin', 'reuseWithinSeconds'],
  ['jwtSigner', () => jwtSigner({ algorithm: 'HS256', key: secret, kid: 'k1' } as never), 'kid', 'keyId'],
  ['jwtSigner', () => jwtSigner({ alg: 'HS256', key: secret } as never), 'alg', 'algorithm'],
];

describe('a misspelled option is ERR_INVALID_OPTION naming the closest known option', () => {
  it.each(typos)('%s refuses %s', (fn, make, typo, meant) => {
    const error = thrownSignetError(make, 'ERR_INVALID_OPTION');
    expect(error.message).toContain(`${fn} has no option "${typo}"`);
    expect(error.message).toContain(`Did you mean "${meant}"?`);
  });

  it('a name close to nothing lists the known options instead, and never echoes the value given', () => {
    const error = thrownSignetError(() => requestSigner({ apiKey: 'ak', privateKey, zzzzzzzz: 'value-not-shown-9f3' } as never), 'ERR_INVALID_OPTION');
    expect(error.message).toContain('Known options: apiKey, privateKey');
    expect(error.message).not.toContain('value-not-shown-9f3');
  });

  it('an options object that is an array or a string is refused, saying what it must hold', () => {
    expect(thrownSignetError(() => requestSigner([] as never), 'ERR_INVALID_OPTION').message).toContain('apiKey and privateKey');
    expect(thrownSignetError(() => jwtSigner('HS256' as never), 'ERR_INVALID_OPTION').message).toContain('algorithm and key');
  });
});
