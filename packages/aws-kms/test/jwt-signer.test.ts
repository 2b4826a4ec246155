import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { jwtSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { awsKmsKey } from '@signet/aws-kms';
import { type KmsStandIn, startKmsStandIn, standInKey } from './support/kms-stand-in.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('a KMS key behind jwtSigner and createSignedFetch', () => {
  it('the API receives an ES256 token that jsonwebtoken verifies with the key from GetPublicKey', async () => {
    const kms: KmsStandIn = await startKmsStandIn({ keys: { 'alias/api': standInKey('ECC_NIST_P256') } });
    cleanups.push(() => kms.close());
    const received: IncomingHttpHeaders[] = [];
    const api = createServer((request, response) => {
      received.push(request.headers);
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          api.closeAllConnections();
          api.close(() => resolve());
        }),
    );

    const key = awsKmsKey({ client: kms.client(), keyId: 'alias/api', algorithm: 'ES256' });
    const signer = jwtSigner({ algorithm: 'ES256', key: key, claims: { sub: 'kms-client' } });
    const signedFetch = createSignedFetch(signer, { baseURL: `http://127.0.0.1:${(api.address() as AddressInfo).port}` });
    const response = await signedFetch('/orders', { method: 'POST', body: { amount: 1 } });
    expect(await response.text()).toBe('ok');

    const token = String(received[0]?.authorization).replace(/^Bearer /, '');
    expect(jwt.verify(token, await key.publicKeyPem(), { algorithms: ['ES256'] })).toMatchObject({ sub: 'kms-client' });
    expect(kms.calls.filter((call) => call.target === 'TrentService.Sign')).toHaveLength(1);
  });
});
