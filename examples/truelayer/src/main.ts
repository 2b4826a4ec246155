import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createSignedAxios } from '@signet/axios';
import { trueLayerSigner } from '@signet/core';
import { trueLayerVerifier, withSignet } from '@signet/verify';

// A stand-in for the TrueLayer Payments API on 127.0.0.1: Tl-Signature (ES512, P-521) over method, path,
// Idempotency-Key and body, the key found by kid.
const keyId = '45fc75cf-5649-4134-84b3-192c2c78e990';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const verifier = trueLayerVerifier({ keyForKeyId: (kid) => (kid === keyId ? publicKey : undefined) });
const server = createServer(
  withSignet(verifier, (req, res, claims, body) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kid: claims.sub, idempotencyKey: req.headers['idempotency-key'], bytes: body.length }));
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// In production: baseURL https://api.truelayer-sandbox.com, the private key whose public half is in Console.
const signer = trueLayerSigner({ keyId, privateKey });
const api = createSignedAxios(signer, { baseURL: origin, validateStatus: () => true });

let failures = 0;
/** What the stand-in answers. */
interface Answer {
  kid?: string;
  idempotencyKey?: string;
  bytes?: number;
  error?: string;
}

const report = (label: string, status: number, data: Answer, expected: number): void => {
  if (status !== expected) failures += 1;
  const what = status === 200 ? `verified  kid=${data.kid?.slice(0, 8)}…  Idempotency-Key=${data.idempotencyKey?.slice(0, 8)}…  (${data.bytes} bytes)` : `rejected  ${data.error}`;
  console.log(`truelayer  ${label.padEnd(22)} ${status}  ${what}${status === expected ? '' : `   <- expected ${expected}`}`);
};
try {
  const payment = { amount_in_minor: 100, currency: 'GBP', payment_method: { type: 'bank_transfer' } };
  const created = await api.post<Answer>('/v3/payments', payment, { headers: { 'Idempotency-Key': randomUUID() } });
  report('POST /v3/payments', created.status, created.data, 200);
  const refund = await api.post<Answer>('/v3/payments/p-1/refunds', { amount_in_minor: 50, reference: 'demo' }, { headers: { 'Idempotency-Key': randomUUID() } });
  report('POST refund', refund.status, refund.data, 200);

  // Signed for 100 pence, sent for 100000: the signature covers the body, so the stand-in refuses it.
  const body = JSON.stringify(payment);
  const idempotencyKey = randomUUID();
  const signed = await signer.sign({ method: 'POST', url: '/v3/payments', body: Buffer.from(body), headers: { 'Idempotency-Key': idempotencyKey } });
  const headers = { ...signed, 'Idempotency-Key': idempotencyKey, 'content-type': 'application/json' };
  const tampered = await axios.post<Answer>(`${origin}/v3/payments`, body.replace('100', '100000'), { headers, validateStatus: () => true });
  report('tampered amount', tampered.status, tampered.data, 401);
} finally {
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;
