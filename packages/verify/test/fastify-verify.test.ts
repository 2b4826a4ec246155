import { Buffer } from 'node:buffer';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { requestVerifier } from '@signet/verify';
import { signetFastify } from '@signet/verify/fastify';
import { describeFrameworkVerification } from './support/framework-cases.js';
import { expectRefused, rsaKeys, sendRaw } from './support/servers.js';

describe('signetFastify on a real Fastify 5 server', () => {
  describeFrameworkVerification('Fastify');
});

describe('signetFastify in an app', () => {
  it('guards the routes of the plugin it is registered in, parses JSON from the verified bytes, and leaves other routes alone', async () => {
    const { privateKey, publicKey } = rsaKeys();
    const app = Fastify();
    app.get('/health', async () => 'up');
    await app.register(async (api) => {
      await api.register(signetFastify, { verifier: requestVerifier({ publicKey }) });
      api.post('/v1/orders', async (request) => ({ sub: request.signet?.sub, amount: (request.body as { amount: number }).amount, bytes: request.signetBody?.length }));
    });
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const body = Buffer.from('{"amount":5}');
      const headers = { ...(await requestSigner({ apiKey: 'merchant-7', privateKey }).sign({ method: 'POST', url: '/v1/orders', body })), 'content-type': 'application/json' };
      const accepted = await sendRaw(origin, { method: 'POST', path: '/v1/orders', headers: headers, body });
      const health = await sendRaw(origin, { method: 'GET', path: '/health' });
      const unsigned = await sendRaw(origin, { method: 'POST', path: '/v1/orders', headers: { 'content-type': 'application/json' }, body });
      expect(accepted).toMatchObject({ status: 200, data: { sub: 'merchant-7', amount: 5, bytes: body.length } });
      expect(health).toMatchObject({ status: 200, data: 'up' });
      expectRefused(unsigned, 401, 'ERR_TOKEN_MISSING');
    } finally {
      await app.close();
    }
  });

  it('refuses an unknown option and a missing verifier with ERR_INVALID_OPTION at registration', async () => {
    const { publicKey } = rsaKeys();
    await expect(
      Fastify()
        .register(signetFastify, { verifier: requestVerifier({ publicKey }), maxBody: 1 } as never)
        .ready(),
    ).rejects.toThrow(/maxBodyBytes/);
    await expect(
      Fastify()
        .register(signetFastify, {} as never)
        .ready(),
    ).rejects.toThrow(SignetError);
  });
});
