import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { portOneVerifier, signetMiddleware } from '@signet/verify';
import express from 'express';

/**
 * A stand-in for api.portone.cloud, an Express app on @signet/verify: `X-Portone-Client-Key` must name the client
 * key, and the bearer token must be HS256 with the secret key, `iss` PORTONE, `sub` that client key, at most 100
 * seconds of life. Rejections answer 401 with the reason code.
 */
export async function startPortOneStandIn(clientKey: string, secretKey: string): Promise<{ origin: string; close(): void }> {
  const app = express();
  app.use('/api', signetMiddleware(portOneVerifier({ clientKey, secretKey })));
  app.get('/api/transaction/:ref/status', (req, res) => {
    res.json({ order_ref: req.params.ref, status: 'Success', message: 'authenticated' });
  });
  app.post('/api/paymentLink', (req, res) => {
    res.json({ payment_link: 'https://checkout.portone.example/pl_demo', amount: (req.body as { amount?: number }).amount, message: 'authenticated' });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
