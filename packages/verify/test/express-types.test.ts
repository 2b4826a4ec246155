import express from 'express';
import { describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import { type VerifiedClaims, memoryReplayStore, requestVerifier, signetMiddleware } from '@signet/verify';
import { listen } from './support/servers.js';
import { testKeys } from '@signet/test-support';

const { privateKey, publicKey } = testKeys().rsa;

describe("the README's Express example", () => {
  // This file is typechecked by `tsc --build` with the tests: req.signet and req.rawBody must be known to Express's
  // Request without a cast, with the claims typed.
  it('type-checks without casts and answers with the verified claims', async () => {
    const app = express();
    const verifier = requestVerifier({ keyForApiKey: () => publicKey, replay: memoryReplayStore() });
    app.use('/v1', signetMiddleware(verifier));
    app.post('/v1/payments', (req, res) => {
      const claims: VerifiedClaims | undefined = req.signet;
      const subject: string | undefined = req.signet?.sub;
      const issuedAt: number | undefined = claims?.iat;
      res.json({ merchant: subject, amount: (req.body as { amount: number }).amount, issuedAt, raw: req.rawBody?.length });
    });
    const server = await listen(app);
    try {
      const body = Buffer.from('{"amount":100}');
      const signer = requestSigner({ apiKey: 'ak_merchant', privateKey, nonce: true });
      const headers = await signer.sign({ method: 'POST', url: '/v1/payments', body });
      const response = await fetch(`${server.origin}/v1/payments`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
      expect(await response.json()).toEqual({ merchant: 'ak_merchant', amount: 100, issuedAt: expect.any(Number), raw: body.length });
    } finally {
      await server.close();
    }
  });
});
