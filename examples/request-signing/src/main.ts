import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createSignedAxios } from '@signet/axios';
import { requestSigner } from '@signet/core';
import { startProviderApi, type Verdict } from './provider-api.js';

// A merchant's credentials. In production the key comes from a file or a secret store; the demo makes one.
const apiKey = 'merchant-demo-key';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const api = await startProviderApi(publicKey, apiKey);
const client = createSignedAxios(requestSigner({ apiKey, privateKey }), {
  baseURL: `${api.origin}/v1`,
  validateStatus: () => true,
});

const requests = [
  { label: 'GET with params', run: () => client.get<Verdict>('/payments', { params: { status: 'captured', tags: ['eu', 'café'] } }) },
  { label: 'JSON POST', run: () => client.post<Verdict>('/payments?idempotent=1', { amount: 1250, currency: 'EUR', note: 'ünïcode ✓' }) },
  { label: 'binary upload', run: () => client.put<Verdict>('documents/receipt.pdf', randomBytes(64 * 1024), { headers: { 'Content-Type': 'application/pdf' } }) },
  { label: 'DELETE, no body', run: () => client.delete<Verdict>('/payments/pay_123') },
];

let failures = 0;
try {
  for (const { label, run } of requests) {
    const { status, data } = await run();
    if (status !== 200 || !data.ok) failures += 1;
    const what = data.ok ? `verified  uri=${data.uri}  bodyHash=${data.bodyHash?.slice(0, 16)}…  (${data.bytes} bytes)` : `REJECTED  ${data.reason}`;
    console.log(`${label.padEnd(16)} ${status}  ${what}`);
  }
} finally {
  api.close();
}
console.log(failures === 0 ? `\nAll ${requests.length} signed requests verified by the API.` : `\n${failures} request(s) failed verification.`);
process.exitCode = failures === 0 ? 0 : 1;
