import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type HttpMessageSignerOptions, type SignableRequest, httpMessageSigner } from '@signet/core';
import { rejectedSignetError, thrownSignetError } from './helpers.js';

// What httpMessageSigner refuses, and with which code: at construction for what no request could ever satisfy, at
// sign time for what this request lacks. A covered header the transport adds after signing (Host, User-Agent from
// undici) is never signed on a guess.

const ed = generateKeyPairSync('ed25519');
const base: HttpMessageSignerOptions = { algorithm: 'ed25519', key: ed.privateKey, keyId: 'k' };
const request: SignableRequest = { method: 'POST', url: '/v1/x?a=1', origin: 'https://api.example.com', body: Buffer.from('{}'), headers: { 'content-type': 'application/json' } };

describe('httpMessageSigner refuses at construction', () => {
  it.each([
    [['host'], 'cover "@authority" instead'],
    [['@status'], 'response component'],
    [['@signature-params'], 'never listed'],
    [['@nonsense'], 'not a derived component'],
    [['content-type;req'], 'request of a response'],
    [['content-type;tr'], 'trailer'],
    [['x-a;bs;sf'], 'cannot be combined'],
    [['@path;name="x"'], 'takes no'],
    [['@query-param'], ';name='],
    [['Content-Type'], 'lowercase'],
    [['transfer-encoding'], 'leave it out'],
  ])('components %j (%s) with ERR_INVALID_OPTION', (components, fragment) => {
    expect(thrownSignetError(() => httpMessageSigner({ ...base, components }), 'ERR_INVALID_OPTION').message).toContain(fragment);
  });

  it('keys that do not fit the algorithm, with the code of the misfit', () => {
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'ecdsa-p256-sha256', key: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey }), 'ERR_KEY_TYPE');
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'ed25519', key: generateKeyPairSync('ed448').privateKey }), 'ERR_KEY_TYPE');
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'rsa-pss-sha512', key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey }), 'ERR_KEY_TOO_SMALL');
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'rsa-v1_5-sha256', key: ed.privateKey }), 'ERR_KEY_TYPE');
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'hmac-sha256', key: randomBytes(16) }), 'ERR_KEY_TOO_SMALL');
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'hmac-sha256', key: pem }), 'ERR_KEY_TYPE');
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'ed25519', key: ed.publicKey }), 'ERR_KEY_NOT_PRIVATE');
  });

  it('options: an unknown algorithm, a bad label, a misspelled option', () => {
    thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'hs2019' as never }), 'ERR_INVALID_OPTION');
    thrownSignetError(() => httpMessageSigner({ ...base, label: 'Sig 1' }), 'ERR_INVALID_OPTION');
    expect(thrownSignetError(() => httpMessageSigner({ ...base, keyid: 'k' } as never), 'ERR_INVALID_OPTION').message).toContain('keyId');
  });

  it('a secret never appears in an error or anything reachable from it', () => {
    const secret = 'an-hmac-secret-that-is-too-short';
    const error = thrownSignetError(() => httpMessageSigner({ ...base, algorithm: 'hmac-sha256', key: secret.slice(0, 20) }), 'ERR_KEY_TOO_SMALL');
    expect(inspect(error, { depth: 10 }) + JSON.stringify(error)).not.toContain(secret.slice(0, 16));
  });
});

describe('httpMessageSigner refuses at sign time what this request lacks (ERR_INVALID_REQUEST)', () => {
  it('a covered header the transport has not set yet (User-Agent, added by undici after signing)', async () => {
    const error = await rejectedSignetError(httpMessageSigner({ ...base, components: ['@method', 'user-agent'] }).sign(request), 'ERR_INVALID_REQUEST');
    expect(error.message).toContain('user-agent');
  });

  it("@authority, @scheme or @target-uri without the request's origin", async () => {
    for (const component of ['@authority', '@scheme', '@target-uri']) {
      await rejectedSignetError(httpMessageSigner({ ...base, components: [component] }).sign({ ...request, origin: undefined }), 'ERR_INVALID_REQUEST');
    }
    await rejectedSignetError(httpMessageSigner(base).sign({ ...request, origin: 'https://api.example.com/v1' }), 'ERR_INVALID_REQUEST');
  });

  it('content-length on a request without a body (what a transport sends for none differs); computed when there is one', async () => {
    const signer = httpMessageSigner({ ...base, components: ['content-length'] });
    await rejectedSignetError(signer.sign({ ...request, body: undefined }), 'ERR_INVALID_REQUEST');
    await expect(signer.sign(request)).resolves.toHaveProperty('Signature');
  });

  it('a @query-param that is absent or repeated, and a non-ASCII header without ;bs', async () => {
    await rejectedSignetError(httpMessageSigner({ ...base, components: ['@query-param;name="b"'] }).sign(request), 'ERR_INVALID_REQUEST');
    await rejectedSignetError(httpMessageSigner({ ...base, components: ['@query-param;name="a"'] }).sign({ ...request, url: '/x?a=1&a=2' }), 'ERR_INVALID_REQUEST');
    await rejectedSignetError(httpMessageSigner({ ...base, components: ['x-name'] }).sign({ ...request, headers: { 'x-name': 'José' } }), 'ERR_INVALID_REQUEST');
    await expect(httpMessageSigner({ ...base, components: ['x-name;bs'] }).sign({ ...request, headers: { 'x-name': 'José' } })).resolves.toHaveProperty('Signature');
  });
});
