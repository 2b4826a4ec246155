import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { requestVerifier, withSignet } from '@signet/verify';

// A local API on @signet/verify, and the same merchant calling it with a signed fetch.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const server = createServer(
  withSignet(requestVerifier({ publicKey }), (_req, res, claims, body) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ verified: claims['uri'], bytes: body.length }));
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const signedFetch = createSignedFetch(requestSigner({ apiKey: 'merchant-demo-key', privateKey }), { baseURL });

const form = new FormData();
form.append('invoice', new Blob(['%PDF-1.7 …'], { type: 'application/pdf' }), 'invoice.pdf');
const calls: Array<[string, () => Promise<Response>]> = [
  ['GET with a query', () => signedFetch('/payments?status=captured&q=café')],
  ['JSON POST', () => signedFetch('/payments', { method: 'POST', body: { amount: 1250, currency: 'EUR' } })],
  ['multipart upload', () => signedFetch('documents', { method: 'POST', body: form })],
];
let failures = 0;
try {
  for (const [label, call] of calls) {
    const response = await call();
    if (response.status !== 200) failures += 1;
    console.log(`fetch  ${label.padEnd(18)} ${response.status}  ${await response.text()}`);
  }
  await signedFetch('https://elsewhere.example/steal').catch((error: { code?: string }) => console.log(`fetch  another origin       refused  ${error.code}`));
} finally {
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;
