import { createSignedAxios } from '@signet/axios';
import { portOneSigner } from '@signet/core';
import { startPortOneStandIn } from './stand-in.js';

// In production: process.env.PORTONE_CLIENT_KEY / PORTONE_SECRET_KEY, and baseURL https://api.portone.cloud.
const clientKey = 'SglffyyZgojEdXWL';
const secretKey = 'demo-portone-secret-key';

const api = await startPortOneStandIn(clientKey, secretKey);
const portone = createSignedAxios(portOneSigner({ clientKey, secretKey }), { baseURL: api.origin, validateStatus: () => true });
const impostor = createSignedAxios(portOneSigner({ clientKey, secretKey: 'a-guessed-secret' }), { baseURL: api.origin, validateStatus: () => true });

let failures = 0;
try {
  const calls = [
    ['GET /api/transaction/{ref}/status', () => portone.get<unknown>('/api/transaction/MERCHANT1647433108462/status')],
    ['POST /api/paymentLink', () => portone.post<unknown>('/api/paymentLink', { amount: 5000, currency: 'THB', merchant_order_id: 'order-42' })],
    ['the same, with a wrong secret', () => impostor.post<unknown>('/api/paymentLink', { amount: 5000, currency: 'THB' })],
  ] as const;
  for (const [label, call] of calls) {
    const { status, data } = await call();
    if (status !== (label.startsWith('the same') ? 401 : 200)) failures += 1;
    console.log(`PortOne   ${label.padEnd(34)} ${status}  ${JSON.stringify(data)}`);
  }
} finally {
  api.close();
}
process.exitCode = failures === 0 ? 0 : 1;
