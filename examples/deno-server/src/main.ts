import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { requestSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { paymentsHandler } from './app.ts';

// The demo: the Deno app's handler served under Node on 127.0.0.1 (Deno serves the same module from src/deno.ts in
// runtimes/test/examples.test.ts), called by a merchant with a signed fetch, then by a forger.
const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const server = serve({ hostname: '127.0.0.1', port: 0, fetch: paymentsHandler({ publicKey: merchant.publicKey.export({ type: 'spki', format: 'pem' }) as string }) });
const baseURL = await new Promise<string>((resolve) => server.once('listening', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

let failures = 0;
const show = async (label: string, expected: number, response: Response): Promise<void> => {
  if (response.status !== expected) failures += 1;
  console.log(`deno    ${label.padEnd(30)} ${response.status}  ${await response.text()}`);
};
try {
  const payment = { method: 'POST', body: { amount: 1250, currency: 'EUR' } } as const;
  await show('signed payment', 201, await createSignedFetch(requestSigner({ apiKey: 'merchant-1', privateKey: merchant.privateKey }), { baseURL })('/v1/payments', payment));
  await show('signed with another key', 401, await createSignedFetch(requestSigner({ apiKey: 'merchant-1', privateKey: stranger.privateKey }), { baseURL })('/v1/payments', payment));
} finally {
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;
