import { Buffer } from 'node:buffer';
import { type KeyObject, type RSAPSSKeyPairKeyObjectOptions, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { jwtSigner, portOneSigner, twoCheckoutSigner } from '@signet/core';
import { rejectedSignetError, thrownSignetError } from './helpers.js';
import type { JwsAlgorithm, JwtSignerOptions, SignetError, SignetErrorCode, Signer } from '@signet/core';
import { testKeys } from '@signet/test-support';

// Keys are generated once for the file, at test time.
const rsa = testKeys().rsa;
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const p256 = testKeys().p256;
const p384 = testKeys().p384;
const ed25519 = testKeys().ed25519;

const PORTONE_SECRET = 'portone-secret-Qm7vX2kLp9';
const TWOCHECKOUT_SECRET = 'buy-link-secret-word-Hc4Zr8';
const JWT_SECRET = 'generic-jwt-secret-0123456789-ABCDEFGHIJKL'; // 42 bytes: enough for HS256 only
const SECRETS = [PORTONE_SECRET, TWOCHECKOUT_SECRET, JWT_SECRET];

const REQUEST = { method: 'GET', url: '/refusals' } as const;

const pem = (key: KeyObject): string => String(key.type === 'private' ? key.export({ type: 'pkcs8', format: 'pem' }) : key.export({ type: 'spki', format: 'pem' }));

/** Every 16-character window of a PEM's base64 body: none may appear in an error. */
function materialWindows(text: string): string[] {
  const body = text.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  const windows: string[] = [];
  for (let i = 0; i + 16 <= body.length; i += 8) windows.push(body.slice(i, i + 16));
  return windows;
}

function expectNothingSecretIn(error: SignetError, secrets: readonly string[]): void {
  const renderings = [error.message, JSON.stringify(error), String(error), String(error.stack), inspect(error, { showHidden: true, depth: 5 })];
  for (const text of renderings) {
    for (const secret of secrets) if (secret.length > 0 && text.includes(secret)) expect.fail(`the error shows a secret: ${text}`);
  }
}

/** Runs `action`, expects a SignetError with `code` that shows none of the known secrets, and returns it. */
function refused(action: () => unknown, code: SignetErrorCode, extraSecrets: readonly string[] = []): SignetError {
  const error = thrownSignetError(action, code);
  expectNothingSecretIn(error, [...SECRETS, ...extraSecrets]);
  return error;
}

async function rejected(promise: Promise<unknown>, code: SignetErrorCode): Promise<SignetError> {
  const error = await rejectedSignetError(promise, code);
  expectNothingSecretIn(error, SECRETS);
  return error;
}

const portOne = (overrides: Record<string, unknown> = {}): Signer => portOneSigner({ clientKey: 'ck_refusals', secretKey: PORTONE_SECRET, ...overrides });
const twoCheckout = (overrides: Record<string, unknown> = {}): Signer => twoCheckoutSigner({ merchantCode: 'MERCH01', secretWord: TWOCHECKOUT_SECRET, ...overrides });
const generic = (overrides: Record<string, unknown> = {}): Signer => jwtSigner({ algorithm: 'HS256', key: JWT_SECRET, claims: { sub: 'svc' }, ...overrides } as unknown as JwtSignerOptions);

/** The three ways a shared secret reaches Signet. */
const hmacTakers: Array<[string, (secret: unknown) => Signer]> = [
  ['jwtSigner HS256', (key) => generic({ key })],
  ['jwtSigner HS256 with allowShortSecret', (key) => generic({ key, allowShortSecret: true })],
  ['jwtSigner HS512', (key) => generic({ algorithm: 'HS512', key })],
  ['portOneSigner', (secretKey) => portOne({ secretKey })],
  ['twoCheckoutSigner', (secretWord) => twoCheckout({ secretWord })],
];

describe('a signer needs an options object', () => {
  it.each([
    ['portOneSigner', portOneSigner as (o: never) => Signer],
    ['twoCheckoutSigner', twoCheckoutSigner as (o: never) => Signer],
    ['jwtSigner', jwtSigner as (o: never) => Signer],
  ])('%s refuses undefined, null and a string with ERR_INVALID_OPTION', (_name, factory) => {
    for (const options of [undefined, null, 'secret']) refused(() => factory(options as never), 'ERR_INVALID_OPTION');
  });
});

describe('every signer refuses an empty or missing secret with ERR_INVALID_OPTION', () => {
  it.each([
    ['portOneSigner secretKey ""', () => portOne({ secretKey: '' })],
    ['portOneSigner secretKey as an empty Buffer', () => portOne({ secretKey: Buffer.alloc(0) })],
    ['portOneSigner without secretKey', () => portOne({ secretKey: undefined })],
    ['twoCheckoutSigner secretWord ""', () => twoCheckout({ secretWord: '' })],
    ['twoCheckoutSigner secretWord as an empty Buffer', () => twoCheckout({ secretWord: Buffer.alloc(0) })],
    ['twoCheckoutSigner without secretWord', () => twoCheckout({ secretWord: undefined })],
    ['jwtSigner HS256 key ""', () => generic({ key: '' })],
    ['jwtSigner HS256 key "" even with allowShortSecret', () => generic({ key: '', allowShortSecret: true })],
    ['jwtSigner HS384 key ""', () => generic({ algorithm: 'HS384', key: '' })],
    ['jwtSigner HS512 key ""', () => generic({ algorithm: 'HS512', key: '' })],
    ['jwtSigner HS256 without key', () => generic({ key: undefined })],
    ['jwtSigner HS256 key as a number', () => generic({ key: 12345 })],
    ['jwtSigner RS256 key ""', () => generic({ algorithm: 'RS256', key: '' })],
    ['jwtSigner EdDSA without key', () => generic({ algorithm: 'EdDSA', key: undefined })],
  ])('%s', (_name, build) => {
    refused(build, 'ERR_INVALID_OPTION');
  });
});

describe('generic HMAC secrets must be at least as long as the hash (RFC 7518 §3.2)', () => {
  const sizes: Array<[Extract<JwsAlgorithm, `HS${string}`>, number]> = [
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ];

  it.each(sizes)('%s refuses a secret one byte short (string, Buffer and KeyObject) with ERR_KEY_TOO_SMALL', (algorithm, bytes) => {
    const short = 's'.repeat(bytes - 1);
    refused(() => generic({ algorithm, key: short }), 'ERR_KEY_TOO_SMALL', [short]);
    refused(() => generic({ algorithm, key: Buffer.from(short) }), 'ERR_KEY_TOO_SMALL', [short]);
    refused(() => generic({ algorithm, key: createSecretKey(Buffer.from(short)) }), 'ERR_KEY_TOO_SMALL', [short]);
  });

  it.each(sizes)('%s accepts a secret of exactly the hash size, and jsonwebtoken verifies its token', async (algorithm, bytes) => {
    const secret = 'x'.repeat(bytes);
    const headers = await generic({ algorithm, key: secret }).sign(REQUEST);
    const token = String(headers['Authorization']).slice('Bearer '.length);
    expect(jwt.verify(token, secret, { algorithms: [algorithm] })).toMatchObject({ sub: 'svc' });
  });

  it.each(sizes)('%s accepts the short secret with allowShortSecret: true, and jsonwebtoken verifies its token', async (algorithm, bytes) => {
    const short = 's'.repeat(bytes - 1);
    const headers = await generic({ algorithm, key: short, allowShortSecret: true }).sign(REQUEST);
    const token = String(headers['Authorization']).slice('Bearer '.length);
    expect(jwt.verify(token, short, { algorithms: [algorithm] })).toMatchObject({ sub: 'svc' });
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const thirtyOneBytes = `${'é'.repeat(15)}a`; // 16 characters, 31 bytes
    const thirtyTwoBytes = 'é'.repeat(16); // 16 characters, 32 bytes
    expect(Buffer.byteLength(thirtyOneBytes)).toBe(31);
    expect(Buffer.byteLength(thirtyTwoBytes)).toBe(32);
    refused(() => generic({ key: thirtyOneBytes }), 'ERR_KEY_TOO_SMALL', [thirtyOneBytes]);
    const headers = await generic({ key: thirtyTwoBytes }).sign(REQUEST);
    const token = String(headers['Authorization']).slice('Bearer '.length);
    expect(jwt.verify(token, Buffer.from(thirtyTwoBytes, 'utf8'), { algorithms: ['HS256'] })).toMatchObject({ sub: 'svc' });
  });
});

describe('provider signers accept the short secrets providers issue', () => {
  it('portOneSigner signs with the secret "sk", and jsonwebtoken verifies HS256 with it', async () => {
    const headers = await portOne({ secretKey: 'sk' }).sign(REQUEST);
    const token = String(headers['Authorization']).slice('Bearer '.length);
    expect(jwt.verify(token, 'sk', { algorithms: ['HS256'] })).toMatchObject({ iss: 'PORTONE', sub: 'ck_refusals' });
  });

  it('twoCheckoutSigner signs with the secret "sk", and jsonwebtoken verifies HS512 with it', async () => {
    const headers = await twoCheckout({ secretWord: 'sk' }).sign(REQUEST);
    expect(jwt.verify(String(headers['merchant-token']), 'sk', { algorithms: ['HS512'] })).toMatchObject({ sub: 'MERCH01' });
  });
});

describe('an asymmetric key is never taken as an HMAC secret (algorithm confusion)', () => {
  const pems: Array<[string, string | Buffer]> = [
    ['an RSA private PEM (PKCS#8)', pem(rsa.privateKey)],
    ['an RSA private PEM (PKCS#1)', String(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }))],
    ['an RSA public PEM (SPKI)', pem(rsa.publicKey)],
    ['an RSA public PEM (PKCS#1)', String(rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }))],
    ['an EC private PEM', pem(p256.privateKey)],
    ['an EC public PEM', pem(p256.publicKey)],
    ['an RSA public PEM in a Buffer', Buffer.from(pem(rsa.publicKey))],
    ['an EC public PEM after a newline', `\n${pem(p256.publicKey)}`],
  ];
  const cases = hmacTakers.flatMap(([taker, build]) => pems.map(([what, secret]) => [taker, what, build, secret] as const));

  it.each(cases)('%s refuses %s with ERR_KEY_TYPE, showing none of it', (_taker, _what, build, secret) => {
    const text = Buffer.isBuffer(secret) ? secret.toString('utf8') : secret;
    refused(() => build(secret), 'ERR_KEY_TYPE', materialWindows(text));
  });

  const keyObjects: Array<[string, KeyObject]> = [
    ['an RSA private KeyObject', rsa.privateKey],
    ['an RSA public KeyObject', rsa.publicKey],
    ['an EC private KeyObject', p256.privateKey],
    ['an EC public KeyObject', p256.publicKey],
    ['an Ed25519 public KeyObject', ed25519.publicKey],
  ];
  const objectCases = hmacTakers.flatMap(([taker, build]) => keyObjects.map(([what, key]) => [taker, what, build, key] as const));

  it.each(objectCases)('%s refuses %s with ERR_KEY_TYPE', (_taker, _what, build, key) => {
    refused(() => build(key), 'ERR_KEY_TYPE');
  });
});

describe('asymmetric algorithms need a private key of their own type', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('%s refuses an HMAC secret string with ERR_KEY_INVALID, without showing it', (algorithm) => {
    refused(() => generic({ algorithm, key: JWT_SECRET }), 'ERR_KEY_INVALID');
  });

  it.each(['RS256', 'PS256', 'ES256', 'EdDSA'] as const)('%s refuses a secret KeyObject with ERR_KEY_TYPE', (algorithm) => {
    refused(() => generic({ algorithm, key: createSecretKey(Buffer.from(JWT_SECRET)) }), 'ERR_KEY_TYPE');
  });

  const mismatches: Array<[string, JwsAlgorithm, KeyObject]> = [
    ['an EC P-256 key for RS256', 'RS256', p256.privateKey],
    ['an Ed25519 key for RS512', 'RS512', ed25519.privateKey],
    ['an RSA key for ES256', 'ES256', rsa.privateKey],
    ['a P-384 key for ES256', 'ES256', p384.privateKey],
    ['a P-256 key for ES384', 'ES384', p256.privateKey],
    ['an Ed25519 key for PS256', 'PS256', ed25519.privateKey],
    ['an EC key for PS256', 'PS256', p256.privateKey],
    ['an RSA key for EdDSA', 'EdDSA', rsa.privateKey],
    ['an EC key for EdDSA', 'EdDSA', p256.privateKey],
  ];

  it.each(mismatches)('refuses %s with ERR_KEY_TYPE, as KeyObject and as PEM', (_what, algorithm, key) => {
    refused(() => generic({ algorithm, key }), 'ERR_KEY_TYPE');
    refused(() => generic({ algorithm, key: pem(key) }), 'ERR_KEY_TYPE', materialWindows(pem(key)));
  });

  it.each(['RS256', 'RS384', 'PS256'] as const)('%s refuses a 1024-bit RSA key with ERR_KEY_TOO_SMALL', (algorithm) => {
    refused(() => generic({ algorithm, key: rsa1024.privateKey }), 'ERR_KEY_TOO_SMALL');
    refused(() => generic({ algorithm, key: pem(rsa1024.privateKey) }), 'ERR_KEY_TOO_SMALL', materialWindows(pem(rsa1024.privateKey)));
  });

  it('PS256 refuses an RSA-PSS key restricted to SHA-512, which can never make a PS256 signature', () => {
    // @types/node types saltLength as a string; Node takes a number.
    const options = { modulusLength: 2048, hashAlgorithm: 'sha512', mgf1HashAlgorithm: 'sha512', saltLength: 64 } as unknown as RSAPSSKeyPairKeyObjectOptions;
    const sha512Only = generateKeyPairSync('rsa-pss', options);
    refused(() => generic({ algorithm: 'PS256', key: sha512Only.privateKey }), 'ERR_KEY_TYPE');
  });
});

describe('the algorithm must be one Signet signs with', () => {
  it.each([['none'], ['NONE'], ['None'], ['HS1'], ['hs256'], ['ES256K'], [''], ['constructor'], ['__proto__'], ['toString'], [undefined], [256]])('refuses algorithm %j with ERR_INVALID_OPTION', (algorithm) => {
    refused(() => generic({ algorithm }), 'ERR_INVALID_OPTION');
  });
});

describe('values that end up in headers cannot carry CR, LF or NUL', () => {
  const injections = ['value\r\nX-Evil: 1', 'value\rX', 'value\nX', 'value\0', ''];
  it.each(injections)('portOneSigner refuses clientKey %j with ERR_INVALID_OPTION', (clientKey) => {
    refused(() => portOne({ clientKey }), 'ERR_INVALID_OPTION');
  });
  it.each(injections)('portOneSigner refuses issuer %j with ERR_INVALID_OPTION', (issuer) => {
    refused(() => portOne({ issuer }), 'ERR_INVALID_OPTION');
  });
  it.each(injections)('twoCheckoutSigner refuses merchantCode %j with ERR_INVALID_OPTION', (merchantCode) => {
    refused(() => twoCheckout({ merchantCode }), 'ERR_INVALID_OPTION');
  });
  it.each(injections)('jwtSigner refuses keyId %j with ERR_INVALID_OPTION', (keyId) => {
    refused(() => generic({ keyId }), 'ERR_INVALID_OPTION');
  });
  it.each(['X Auth', 'X-Auth\r\nX-Evil: 1', 'X-Auth\n', 'X-Auth:', '', 'Authorizatión'])('jwtSigner refuses header name %j with ERR_INVALID_OPTION', (header) => {
    refused(() => generic({ header }), 'ERR_INVALID_OPTION');
  });
  it.each(['Bearer token', ' Bearer', 'Bearer\r\n', 'Bearer\0', 'Bearer\t'])('jwtSigner refuses scheme %j with ERR_INVALID_OPTION', (scheme) => {
    refused(() => generic({ scheme }), 'ERR_INVALID_OPTION');
  });
});

describe('claims must be a plain, JSON-serializable object', () => {
  const cyclic: Record<string, unknown> = { sub: 'svc' };
  cyclic['self'] = cyclic;
  const notClaims: Array<[string, unknown]> = [
    ['an array', [{ sub: 'svc' }]],
    ['a Date', new Date(0)],
    ['a string', 'sub=svc'],
    ['a number', 42],
    ['null', null],
    ['a Map', new Map([['sub', 'svc']])],
    [
      'a class instance',
      new (class Claims {
        sub = 'svc';
      })(),
    ],
    ['an object with a BigInt', { sub: 'svc', amount: 10n }],
    ['an object with a nested BigInt', { sub: 'svc', nested: { amount: 10n } }],
    ['a cyclic object', cyclic],
  ];

  it.each(notClaims)('refuses claims that are %s with ERR_INVALID_OPTION at construction', (_what, claims) => {
    refused(() => generic({ claims }), 'ERR_INVALID_OPTION');
  });

  it('accepts a null-prototype object, and its claims reach the token', async () => {
    const claims = Object.assign(Object.create(null) as Record<string, unknown>, { sub: 'svc-null-proto' });
    const headers = await generic({ claims }).sign(REQUEST);
    const token = String(headers['Authorization']).slice('Bearer '.length);
    expect(jwt.verify(token, JWT_SECRET, { algorithms: ['HS256'] })).toMatchObject({ sub: 'svc-null-proto' });
  });

  it.each(notClaims)('a claims function returning %s makes sign() reject with ERR_INVALID_OPTION', async (_what, claims) => {
    const signer = generic({ claims: () => claims });
    await rejected(signer.sign(REQUEST), 'ERR_INVALID_OPTION');
  });

  it.each([
    ['undefined', undefined],
    ['a promise of a string', 'svc'],
  ])('an async claims function resolving to %s makes sign() reject with ERR_INVALID_OPTION', async (_what, value) => {
    const signer = generic({ claims: async () => value });
    await rejected(signer.sign(REQUEST), 'ERR_INVALID_OPTION');
  });
});

describe('reuseWithinSeconds is refused where no token could be reused', () => {
  it('jwtSigner refuses it with a claims function', () => {
    refused(() => generic({ claims: () => ({ sub: 'svc' }), reuseWithinSeconds: 10 }), 'ERR_INVALID_OPTION');
  });

  it('jwtSigner and twoCheckoutSigner refuse it with expiresInSeconds: false', () => {
    refused(() => generic({ expiresInSeconds: false, reuseWithinSeconds: 10 }), 'ERR_INVALID_OPTION');
    refused(() => twoCheckout({ expiresInSeconds: false, reuseWithinSeconds: 10 }), 'ERR_INVALID_OPTION');
  });

  it.each([
    ['portOneSigner (default lifetime 100)', (r: number) => portOne({ reuseWithinSeconds: r }), 100],
    ['portOneSigner (expiresInSeconds 60)', (r: number) => portOne({ reuseWithinSeconds: r, expiresInSeconds: 60 }), 60],
    ['twoCheckoutSigner (default lifetime 1800)', (r: number) => twoCheckout({ reuseWithinSeconds: r }), 1800],
    ['jwtSigner (default lifetime 300)', (r: number) => generic({ reuseWithinSeconds: r }), 300],
    ['jwtSigner (expiresInSeconds 30)', (r: number) => generic({ reuseWithinSeconds: r, expiresInSeconds: 30 }), 30],
  ])('%s refuses a value equal to or above the lifetime, and accepts one just below', (_what, build, lifetime) => {
    refused(() => build(lifetime), 'ERR_INVALID_OPTION');
    refused(() => build(lifetime + 1), 'ERR_INVALID_OPTION');
    expect(() => build(lifetime - 1)).not.toThrow();
  });

  it.each([0, -1, 1.5, Number.NaN, '10'])('refuses reuseWithinSeconds %j', (reuseWithinSeconds) => {
    refused(() => portOne({ reuseWithinSeconds }), 'ERR_INVALID_OPTION');
    refused(() => twoCheckout({ reuseWithinSeconds }), 'ERR_INVALID_OPTION');
    refused(() => generic({ reuseWithinSeconds }), 'ERR_INVALID_OPTION');
  });
});
