import { createPublicKey } from 'node:crypto';
import * as jose from 'jose';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedFetch } from '@signet/fetch';
import { pkcs11Key, type Pkcs11Key } from '@signet/pkcs11';
import { createTestToken, type TestToken } from '@signet/test-support';
import { bearer, keySigner, startServer, type RecordingServer } from './support/tokens.js';

let token: TestToken;
let server: RecordingServer;
const keys: Pkcs11Key[] = [];
const open = (keyLabel: string, algorithm?: 'RS256' | 'PS256' | 'ES256'): Pkcs11Key => {
  const key = pkcs11Key({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel, ...(algorithm === undefined ? {} : { algorithm }) });
  keys.push(key);
  return key;
};

beforeAll(async () => {
  token = createTestToken();
  server = await startServer();
});

afterAll(async () => {
  await Promise.all(keys.map((key) => key.close()));
  await server.close();
  token.remove();
});

describe('pkcs11Key signs with the key in a SoftHSM2 token', () => {
  it.each([
    ['RS256', 'rsa'],
    ['PS256', 'rsa'],
    ['ES256', 'ec'],
  ] as const)('%s: the token a server received verifies with jsonwebtoken and jose against the generated public key', async (algorithm, label) => {
    const key = open(label, algorithm);
    expect(key.algorithm).toBe(algorithm);
    const signedFetch = createSignedFetch(keySigner(key), { baseURL: server.baseURL });
    const response = await signedFetch(`/orders/${algorithm}?page=2`, { method: 'POST', body: '{"a":1}' });
    expect(response.status).toBe(200);

    const received = server.received.at(-1)!;
    expect(received.url).toBe(`/orders/${algorithm}?page=2`);
    const publicKey = token.publicKeys[label];
    const claims = jwt.verify(bearer(received.headers), publicKey, { algorithms: [algorithm] }) as jwt.JwtPayload;
    expect(claims.uri).toBe(`/orders/${algorithm}?page=2`);
    const { protectedHeader } = await jose.jwtVerify(bearer(received.headers), publicKey, { algorithms: [algorithm] });
    expect(protectedHeader.alg).toBe(algorithm);
  });

  it('PS256 uses a 32-byte salt with SHA-256 MGF1 (RFC 7518 §3.5): node:crypto verifies it with exactly that salt length', async () => {
    const key = open('rsa', 'PS256');
    const data = new TextEncoder().encode('header.payload');
    const signature = await key.sign(data);
    const { verify, constants } = await import('node:crypto');
    const check = (saltLength: number): boolean => verify('sha256', data, { key: token.publicKeys.rsa, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    expect(check(32)).toBe(true);
    expect(check(20)).toBe(false);
  });

  it('ES256 returns a raw 64-byte r || s (IEEE P1363), not DER', async () => {
    const key = open('ec');
    const data = new TextEncoder().encode('header.payload');
    const signature = await key.sign(data);
    expect(signature).toHaveLength(64);
    const { verify } = await import('node:crypto');
    expect(verify('sha256', data, { key: token.publicKeys.ec, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it.each([
    ['rsa', 'RS256'],
    ['ec', 'ES256'],
  ] as const)('infers the algorithm from a %s key: %s', (label, algorithm) => {
    expect(open(label).algorithm).toBe(algorithm);
  });

  it.each(['rsa', 'ec'] as const)('publicKeyPem() of the %s key is the public key that was imported', (label) => {
    const pem = open(label).publicKeyPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const spki = (key: ReturnType<typeof createPublicKey>): Buffer => key.export({ type: 'spki', format: 'der' });
    expect(spki(createPublicKey(pem)).equals(spki(token.publicKeys[label]))).toBe(true);
  });
});
