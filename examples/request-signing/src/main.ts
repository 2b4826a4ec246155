import { generateKeyPairSync, randomBytes } from 'node:crypto';
import axios from 'axios';
import { createSignedAxios } from '@signet/axios';
import { requestSigner } from '@signet/core';
import { startProviderApi } from './provider-api.js';

interface Answer {
  ok?: boolean;
  uri?: string;
  bodyHash?: string;
  bytes?: number;
  error?: string;
  message?: string;
}

// A merchant's credentials. In production the key comes from a file or a secret store; the demo makes one.
const apiKey = 'merchant-demo-key';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
// nonce: true gives every token its own identity, which the API's replay store requires.
const signer = requestSigner({ apiKey, privateKey, nonce: true });

const api = await startProviderApi({ [apiKey]: publicKey });
const client = createSignedAxios(signer, { baseURL: `${api.origin}/v1`, validateStatus: () => true });
const raw = axios.create({ baseURL: api.origin, validateStatus: () => true });

let failures = 0;
const report = (label: string, status: number, data: Answer, expected: number): void => {
  if (status !== expected) failures += 1;
  const what = data.ok ? `verified  uri=${data.uri}  bodyHash=${data.bodyHash?.slice(0, 16)}…  (${data.bytes} bytes)` : `rejected  ${data.error}: ${data.message}`;
  console.log(`${label.padEnd(18)} ${status}  ${what}${status === expected ? '' : `   <- expected ${expected}`}`);
};

try {
  console.log('Signed with createSignedAxios, verified by @signet/verify:');
  report('GET with params', ...(await send(() => client.get('/payments', { params: { status: 'captured', tags: ['eu', 'café'] } }))), 200);
  report('JSON POST', ...(await send(() => client.post('/payments?idempotent=1', { amount: 1250, currency: 'EUR', note: 'ünïcode ✓' }))), 200);
  report('binary upload', ...(await send(() => client.put('documents/receipt.pdf', randomBytes(64 * 1024), { headers: { 'Content-Type': 'application/pdf' } }))), 200);
  report('DELETE, no body', ...(await send(() => client.delete('/payments/pay_123'))), 200);

  console.log('\nWhat an attacker on the path could try:');
  const body = JSON.stringify({ amount: 1250, currency: 'EUR' });
  const headers = { ...(await signer.sign({ method: 'POST', url: '/v1/refunds', body: Buffer.from(body) })), 'content-type': 'application/json' };
  report('tampered body', ...(await send(() => raw.post('/v1/refunds', body.replace('1250', '9999'), { headers }))), 401);
  report('original request', ...(await send(() => raw.post('/v1/refunds', body, { headers }))), 200);
  report('replayed request', ...(await send(() => raw.post('/v1/refunds', body, { headers }))), 401);
} finally {
  api.close();
}
console.log(failures === 0 ? '\nEvery signed request verified; the tampered and the replayed one were rejected.' : `\n${failures} outcome(s) differ from the expected.`);
process.exitCode = failures === 0 ? 0 : 1;

async function send(request: () => Promise<{ status: number; data: unknown }>): Promise<[number, Answer]> {
  const { status, data } = await request();
  return [status, data as Answer];
}
