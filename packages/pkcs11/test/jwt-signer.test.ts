import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { pkcs11Key, type Pkcs11Key } from '@signet/pkcs11';
import { createTestToken, type TestToken } from '@signet/test-support';
import { bearer, startServer, type RecordingServer } from './support/tokens.js';

let token: TestToken;
let server: RecordingServer;
let key: Pkcs11Key;

beforeAll(async () => {
  token = createTestToken('signet-jwt-signer');
  server = await startServer();
  key = pkcs11Key({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel: 'rsa' });
});

afterAll(async () => {
  await key.close();
  await server.close();
  token.remove();
});

describe('jwtSigner over a PKCS#11 key', () => {
  it('signs requests a node:http server receives, verified by jsonwebtoken with publicKeyPem()', async () => {
    const signer = jwtSigner({ algorithm: key.algorithm, key: key, claims: { sub: 'svc-hsm' } });
    const signedFetch = createSignedFetch(signer, { baseURL: server.baseURL });
    expect((await signedFetch('/hsm?x=1', { method: 'POST', body: 'raw' })).status).toBe(200);
    const claims = jwt.verify(bearer(server.received.at(-1)!.headers), key.publicKeyPem(), { algorithms: ['RS256'] }) as jwt.JwtPayload;
    expect(claims.sub).toBe('svc-hsm');
  });
});
