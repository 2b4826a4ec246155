import { Buffer } from 'node:buffer';
import { type KeyObject, type RSAPSSKeyPairKeyObjectOptions, generateKeyPairSync, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { SignJWT, compactVerify, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import type { Algorithm } from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jwtSigner } from '@signet/core';
import type { JwsAlgorithm, JwtSignerOptions } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { type Received, type RecordingServer, startServer, testKeys } from '@signet/test-support';

// Keys are generated once for the file, at test time.
const rsa = testKeys().rsa;
const p256 = testKeys().p256;
const p384 = testKeys().p384;
const ed25519 = testKeys().ed25519;
const ed448 = testKeys().ed448;
const hs = { HS256: randomBytes(32), HS384: randomBytes(48), HS512: randomBytes(64) };

const NOW_MS = 1_700_000_000_900;
const NOW = 1_700_000_000;
const CLAIMS = { sub: 'svc-billing', role: 'admin', scope: ['payments:read', 'payments:write'] };

interface AlgorithmCase {
  algorithm: JwsAlgorithm;
  signKey: Buffer | KeyObject;
  verifyKey: Buffer | KeyObject;
  /** Same input, same token: HMAC and RSASSA-PKCS1-v1_5 (and Ed25519, checked against jose). */
  deterministic: boolean;
}

const cases: AlgorithmCase[] = [
  { algorithm: 'HS256', signKey: hs.HS256, verifyKey: hs.HS256, deterministic: true },
  { algorithm: 'HS384', signKey: hs.HS384, verifyKey: hs.HS384, deterministic: true },
  { algorithm: 'HS512', signKey: hs.HS512, verifyKey: hs.HS512, deterministic: true },
  { algorithm: 'RS256', signKey: rsa.privateKey, verifyKey: rsa.publicKey, deterministic: true },
  { algorithm: 'RS384', signKey: rsa.privateKey, verifyKey: rsa.publicKey, deterministic: true },
  { algorithm: 'RS512', signKey: rsa.privateKey, verifyKey: rsa.publicKey, deterministic: true },
  { algorithm: 'PS256', signKey: rsa.privateKey, verifyKey: rsa.publicKey, deterministic: false },
  { algorithm: 'ES256', signKey: p256.privateKey, verifyKey: p256.publicKey, deterministic: false },
  { algorithm: 'ES384', signKey: p384.privateKey, verifyKey: p384.publicKey, deterministic: false },
  { algorithm: 'EdDSA', signKey: ed25519.privateKey, verifyKey: ed25519.publicKey, deterministic: true },
];

/**
 * Verifies with an independent library as of `now`: jsonwebtoken, or jose for EdDSA (which jsonwebtoken lacks).
 * Returns the protected header and the claims.
 */
async function verifyIndependently(token: string, c: AlgorithmCase, now: number): Promise<{ header: object; claims: Record<string, unknown> }> {
  if (c.algorithm === 'EdDSA') {
    const { protectedHeader, payload } = await jwtVerify(token, c.verifyKey as KeyObject, { algorithms: ['EdDSA'], currentDate: new Date(now * 1000) });
    return { header: protectedHeader, claims: payload };
  }
  const decoded = jwt.verify(token, c.verifyKey, { algorithms: [c.algorithm], complete: true, clockTimestamp: now });
  return { header: decoded.header, claims: decoded.payload as Record<string, unknown> };
}

/** The token an independent library makes for exactly these claims (in this order) and this header. */
async function referenceToken(c: AlgorithmCase, claims: Record<string, unknown>, keyId?: string): Promise<string> {
  if (c.algorithm === 'EdDSA') {
    return new SignJWT(claims).setProtectedHeader(keyId === undefined ? { alg: 'EdDSA', typ: 'JWT' } : { alg: 'EdDSA', typ: 'JWT', kid: keyId }).sign(c.signKey);
  }
  // jsonwebtoken keeps a given iat; its noTimestamp option would delete it, so it is used only when there is none.
  return jwt.sign(claims, c.signKey, {
    algorithm: c.algorithm as Algorithm,
    ...('iat' in claims ? {} : { noTimestamp: true }),
    ...(keyId === undefined ? {} : { keyid: keyId }),
  });
}

let server: RecordingServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
});

function api(options: Omit<JwtSignerOptions, 'algorithm' | 'key'> & Partial<Pick<JwtSignerOptions, 'algorithm' | 'key'>>, c: AlgorithmCase = cases[0] as AlgorithmCase) {
  return createSignedAxios(jwtSigner({ algorithm: c.algorithm, key: c.signKey, ...options }), { baseURL: server.origin });
}

function only(received: Received[]): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

function bearerOf(received: Received, header = 'authorization'): string {
  const value = String(received.headers[header]);
  expect(value).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  return value.slice('Bearer '.length);
}

describe.each(cases)('jwtSigner with $algorithm, as a real server receives it', (c) => {
  it('sends a Bearer token that an independent library verifies, with header {alg, typ} and exp = iat + 300', async () => {
    await api({ claims: CLAIMS, clock: () => NOW_MS }, c).get('/v1/invoices');
    const { header, claims } = await verifyIndependently(bearerOf(only(server.received)), c, NOW);
    expect(header).toStrictEqual({ alg: c.algorithm, typ: 'JWT' });
    expect(claims).toStrictEqual({ ...CLAIMS, iat: NOW, exp: NOW + 300 });
  });

  it('sends a token that fails verification once tampered with, and after exp', async () => {
    await api({ claims: CLAIMS, clock: () => NOW_MS }, c).get('/v1/invoices');
    const token = bearerOf(only(server.received));
    await expect(verifyIndependently(token, c, NOW + 300)).rejects.toThrow();
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...CLAIMS, role: 'root', iat: NOW, exp: NOW + 300 })).toString('base64url');
    await expect(verifyIndependently(`${header}.${forgedPayload}.${signature}`, c, NOW)).rejects.toThrow();
  });

  it('puts keyId in the header as kid', async () => {
    await api({ claims: CLAIMS, keyId: 'key-2024-06', clock: () => NOW_MS }, c).get('/v1/invoices');
    const token = bearerOf(only(server.received));
    expect((await verifyIndependently(token, c, NOW)).header).toStrictEqual({ alg: c.algorithm, typ: 'JWT', kid: 'key-2024-06' });
    if (c.deterministic) expect(token).toBe(await referenceToken(c, { ...CLAIMS, iat: NOW, exp: NOW + 300 }, 'key-2024-06'));
  });
});

describe.each(cases.filter((c) => c.deterministic))('jwtSigner with $algorithm, a deterministic algorithm', (c) => {
  it('sends byte for byte the token the independent library makes for the same claims', async () => {
    await api({ claims: CLAIMS, clock: () => NOW_MS }, c).get('/v1/invoices');
    const expected = await referenceToken(c, { ...CLAIMS, iat: NOW, exp: NOW + 300 });
    expect(only(server.received).headers['authorization']).toBe(`Bearer ${expected}`);
  });
});

describe.each(cases.filter((c) => !c.deterministic))('jwtSigner with $algorithm, a randomized algorithm', (c) => {
  it('sends a different, valid signature for each request of the same second (randomized signing)', async () => {
    const client = api({ claims: CLAIMS, clock: () => NOW_MS }, c);
    await client.get('/v1/invoices');
    await client.get('/v1/invoices');
    const [first, second] = server.received.map((r) => bearerOf(r));
    expect(first).not.toBe(second);
    expect(first?.split('.').slice(0, 2)).toEqual(second?.split('.').slice(0, 2));
    for (const token of [first, second]) expect((await verifyIndependently(token as string, c, NOW)).claims).toMatchObject(CLAIMS);
  });
});

describe('jwtSigner with an Ed448 key (EdDSA)', () => {
  it('sends a token whose Ed448 signature node:crypto verifies over header.payload', async () => {
    const c: AlgorithmCase = { algorithm: 'EdDSA', signKey: ed448.privateKey, verifyKey: ed448.publicKey, deterministic: true };
    await api({ claims: CLAIMS, clock: () => NOW_MS }, c).get('/v1/invoices');
    const [header = '', payload = '', signature = ''] = bearerOf(only(server.received)).split('.');
    expect(cryptoVerify(null, Buffer.from(`${header}.${payload}`), ed448.publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toStrictEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toStrictEqual({ ...CLAIMS, iat: NOW, exp: NOW + 300 });
  });
});

describe('jwtSigner PS256 with an RSA-PSS key (restricted to SHA-256)', () => {
  it('sends a token jsonwebtoken verifies with the RSA-PSS public key', async () => {
    // @types/node types saltLength as a string; Node takes a number.
    const options = { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 } as unknown as RSAPSSKeyPairKeyObjectOptions;
    const pss = generateKeyPairSync('rsa-pss', options);
    const c: AlgorithmCase = { algorithm: 'PS256', signKey: pss.privateKey, verifyKey: pss.publicKey, deterministic: false };
    await api({ claims: CLAIMS, clock: () => NOW_MS }, c).get('/v1/invoices');
    const { header, claims } = await verifyIndependently(bearerOf(only(server.received)), c, NOW);
    expect(header).toStrictEqual({ alg: 'PS256', typ: 'JWT' });
    expect(claims).toStrictEqual({ ...CLAIMS, iat: NOW, exp: NOW + 300 });
  });
});

describe('jwtSigner claims', () => {
  const hs256 = cases[0] as AlgorithmCase;
  const ed = cases.find((c) => c.algorithm === 'EdDSA') as AlgorithmCase;

  it.each([hs256, ed])('$algorithm: a claims function sees the request line the server receives', async (c) => {
    const client = api({ claims: (req) => ({ sub: 'svc', path: req.url, method: req.method }), clock: () => NOW_MS }, c);
    await client.get('/v1/orders/ä b', { params: { status: 'open', tags: ['a', 'b'], page: 2 } });
    const received = only(server.received);
    expect(received.url).toMatch(/^\/v1\/orders\/%C3%A4%20b\?/);
    const { claims } = await verifyIndependently(bearerOf(received), c, NOW);
    expect(claims).toStrictEqual({ sub: 'svc', path: received.url, method: received.method, iat: NOW, exp: NOW + 300 });
  });

  it('an async claims function sees the exact body bytes sent', async () => {
    const client = api({
      claims: async (req) => ({ sub: 'svc', bodyBytes: req.body?.length ?? 0, bodyText: Buffer.from(req.body ?? new Uint8Array()).toString('utf8') }),
      clock: () => NOW_MS,
    });
    await client.post('/v1/payments', { amount: 100, currency: 'EUR', note: 'café' });
    const received = only(server.received);
    const { claims } = await verifyIndependently(bearerOf(received), hs256, NOW);
    expect(claims['bodyBytes']).toBe(received.body.length);
    expect(claims['bodyText']).toBe(received.body.toString('utf8'));
    expect(received.body.toString('utf8')).toBe('{"amount":100,"currency":"EUR","note":"café"}');
  });

  it('a claims function is called for every request, each token bound to its own path', async () => {
    const client = api({ claims: (req) => ({ path: req.url }) });
    await client.get('/a');
    await client.delete('/b?x=1');
    const paths = [];
    for (const received of server.received) paths.push((await verifyIndependently(bearerOf(received), hs256, Math.floor(Date.now() / 1000))).claims['path']);
    expect(paths).toEqual(['/a', '/b?x=1']);
  });

  it('issuedAt: false and expiresInSeconds: false send only the given claims', async () => {
    await api({ claims: CLAIMS, issuedAt: false, expiresInSeconds: false }).get('/v1/invoices');
    const token = bearerOf(only(server.received));
    expect((await verifyIndependently(token, hs256, NOW)).claims).toStrictEqual(CLAIMS);
    expect(token).toBe(await referenceToken(hs256, CLAIMS));
  });

  it('issuedAt: false keeps exp; expiresInSeconds: false keeps iat', async () => {
    await api({ claims: { sub: 'svc' }, issuedAt: false, clock: () => NOW_MS }).get('/one');
    await api({ claims: { sub: 'svc' }, expiresInSeconds: false, clock: () => NOW_MS }).get('/two');
    const [noIat, noExp] = server.received;
    expect((await verifyIndependently(bearerOf(noIat as Received), hs256, NOW)).claims).toStrictEqual({ sub: 'svc', exp: NOW + 300 });
    expect((await verifyIndependently(bearerOf(noExp as Received), hs256, NOW)).claims).toStrictEqual({ sub: 'svc', iat: NOW });
  });

  it('with the real clock, iat is now and exp is iat + 300 by default, or iat + expiresInSeconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    await api({ claims: { sub: 'svc' } }).get('/default');
    await api({ claims: { sub: 'svc' }, expiresInSeconds: 45 }).get('/short');
    const after = Math.floor(Date.now() / 1000);
    const [long, short] = await Promise.all(server.received.map(async (r) => (await verifyIndependently(bearerOf(r), hs256, after)).claims));
    for (const claims of [long, short]) {
      expect(claims?.['iat']).toBeGreaterThanOrEqual(before);
      expect(claims?.['iat']).toBeLessThanOrEqual(after);
    }
    expect(long?.['exp']).toBe((long?.['iat'] as number) + 300);
    expect(short?.['exp']).toBe((short?.['iat'] as number) + 45);
  });
});

describe('jwtSigner header and scheme', () => {
  const hs256 = cases[0] as AlgorithmCase;

  it("header: 'X-Auth' sends the Bearer token there and no Authorization", async () => {
    await api({ claims: { sub: 'svc' }, header: 'X-Auth' }).get('/x');
    const received = only(server.received);
    expect(received.headers['authorization']).toBeUndefined();
    const token = bearerOf(received, 'x-auth');
    expect((await verifyIndependently(token, hs256, Math.floor(Date.now() / 1000))).claims['sub']).toBe('svc');
  });

  it("scheme: '' sends the bare token", async () => {
    await api({ claims: { sub: 'svc' }, header: 'X-Auth', scheme: '' }).get('/x');
    const value = String(only(server.received).headers['x-auth']);
    expect(value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await verifyIndependently(value, hs256, Math.floor(Date.now() / 1000))).claims['sub']).toBe('svc');
  });

  it("scheme: 'Token' sends 'Token <token>'", async () => {
    await api({ claims: { sub: 'svc' }, scheme: 'Token' }).get('/x');
    const value = String(only(server.received).headers['authorization']);
    expect(value).toMatch(/^Token [\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await verifyIndependently(value.slice('Token '.length), hs256, Math.floor(Date.now() / 1000))).claims['sub']).toBe('svc');
  });
});

describe("seed 000's known answer", () => {
  const KNOWN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxMjMsInJvbGUiOiJhZG1pbiJ9.xiQIIxG93IoH5fEuP9BtFeqvJTGI9-XKcnVm0mrJsVc';

  it('is also what jsonwebtoken makes for the same claims and secret', () => {
    expect(jwt.sign({ user_id: 123, role: 'admin' }, 'my_super_secret_key', { algorithm: 'HS256', noTimestamp: true })).toBe(KNOWN);
  });

  it('arrives at the server exactly, as Bearer <token>', async () => {
    const client = createSignedAxios(jwtSigner({ algorithm: 'HS256', key: 'my_super_secret_key', allowShortSecret: true, claims: { user_id: 123, role: 'admin' }, issuedAt: false, expiresInSeconds: false }), {
      baseURL: server.origin,
    });
    await client.get('/posts');
    const received = only(server.received);
    expect(received.url).toBe('/posts');
    expect(received.headers['authorization']).toBe(`Bearer ${KNOWN}`);
    const { payload } = await compactVerify(KNOWN, new TextEncoder().encode('my_super_secret_key'));
    expect(JSON.parse(new TextDecoder().decode(payload))).toStrictEqual({ user_id: 123, role: 'admin' });
  });
});
