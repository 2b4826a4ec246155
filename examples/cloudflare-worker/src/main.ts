import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { requestSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { requestVerifier, withSignet } from '@signet/verify';
import worker, { type Env } from './worker.ts';

// The demo: the Worker module served under Node on 127.0.0.1 (workerd runs the same module in
// runtimes/test/examples.test.ts), a stand-in payment provider that verifies what the Worker signs, and the shop
// calling the Worker with a signed fetch.
const listen = (server: { once(event: 'listening', fn: () => void): unknown; address(): unknown }): Promise<string> =>
  new Promise((resolve) => server.once('listening', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
const pem = (key: KeyObject) => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }) as string;
const shopKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const workerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });

const psp = createServer(
  withSignet(requestVerifier({ publicKey: workerKeys.publicKey }), (_req, res, claims, body) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'pay_1', from: claims['sub'], received: JSON.parse(body.toString()) as unknown }));
  }),
).listen(0, '127.0.0.1');
const env: Env = { SHOP_PUBLIC_KEY: pem(shopKeys.publicKey), PSP_API_KEY: 'worker-at-psp', PSP_PRIVATE_KEY: pem(workerKeys.privateKey), PSP_URL: await listen(psp) };
const edge = serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => worker.fetch(request, env) });
const workerURL = await listen(edge);

let failures = 0;
const show = async (label: string, expected: number, response: Promise<Response>): Promise<void> => {
  const { status } = await response;
  if (status !== expected) failures += 1;
  console.log(`worker  ${label.padEnd(30)} ${status}  ${await (await response).text()}`);
};
try {
  const shop = createSignedFetch(requestSigner({ apiKey: 'shop-1', privateKey: shopKeys.privateKey }), { baseURL: workerURL });
  await show('signed order', 201, shop('/orders', { method: 'POST', body: { amount: 1250, currency: 'EUR' } }));
  await show('unsigned order', 401, fetch(`${workerURL}/orders`, { method: 'POST', body: '{"amount":1}' }));
} finally {
  edge.close();
  psp.close();
}
process.exitCode = failures === 0 ? 0 : 1;
