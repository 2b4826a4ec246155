import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpMessageSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { httpMessageVerifier, memoryReplayStore, withSignet } from '@signet/verify';

// An API on 127.0.0.1 that verifies RFC 9421 signatures: method, authority, path, query, and a Content-Digest
// (RFC 9530) of the exact body bytes, from a client it knows by keyid; each nonce once.
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let origin = '';
const server = createServer((req, res) => handler(req, res));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const verifier = httpMessageVerifier({ keys: { 'client-1': { algorithm: 'ed25519', key: publicKey } }, origin, requiredParameters: ['nonce'], replay: memoryReplayStore() });
const handler = withSignet(verifier, (_req, res, claims, body) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keyid: claims.sub, covered: claims.components.join(' '), bytes: body.length }));
});

const signer = httpMessageSigner({ algorithm: 'ed25519', key: privateKey, keyId: 'client-1', nonce: true });
const signedFetch = createSignedFetch(signer, { baseURL: origin });

let failures = 0;
const report = async (label: string, response: Response, expected: number): Promise<void> => {
  if (response.status !== expected) failures += 1;
  const data = (await response.json()) as { keyid?: string; covered?: string; bytes?: number; error?: string };
  const what = response.status === 200 ? `verified  keyid=${data.keyid}  covers ${data.covered}` : `rejected  ${data.error}`;
  console.log(`httpsig     ${label.padEnd(16)} ${response.status}  ${what}${response.status === expected ? '' : `   <- expected ${expected}`}`);
};
try {
  await report('GET with query', await signedFetch('/v1/payments?status=captured&limit=2'), 200);
  await report('JSON POST', await signedFetch('/v1/payments', { method: 'POST', body: { amount: 1250, currency: 'EUR' } }), 200);
  // The signed headers of one body, sent with another: Content-Digest no longer matches the bytes.
  const body = JSON.stringify({ amount: 1250 });
  const headers = await signer.sign({ method: 'POST', url: '/v1/refunds', origin, body: Buffer.from(body) });
  await report('tampered body', await fetch(`${origin}/v1/refunds`, { method: 'POST', headers, body: body.replace('1250', '9999') }), 401);
} finally {
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;
