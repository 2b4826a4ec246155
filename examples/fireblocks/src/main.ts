import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createSignedAxios } from '@signet/axios';
import { fireblocksSigner } from '@signet/core';
import { fireblocksVerifier, memoryReplayStore, withSignet } from '@signet/verify';

// A stand-in for the Fireblocks API on 127.0.0.1: RS256 tokens with a nonce, X-API-Key equal to sub, each nonce once.
const apiKey = 'fireblocks-demo-api-user';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const verifier = fireblocksVerifier({ keyForApiKey: (key) => (key === apiKey ? publicKey : undefined), replay: memoryReplayStore() });
const server = createServer(
  withSignet(verifier, (_req, res, claims, body) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ uri: claims['uri'], bytes: body.length }));
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// In production: baseURL FIREBLOCKS_BASE_URLS.us and the API user's key file.
const signer = fireblocksSigner({ apiKey, privateKey });
const api = createSignedAxios(signer, { baseURL: `${origin}/v1`, validateStatus: () => true });
const raw = axios.create({ baseURL: origin, validateStatus: () => true });

let failures = 0;
const report = (label: string, status: number, data: { uri?: string; bytes?: number; error?: string }, expected: number): void => {
  if (status !== expected) failures += 1;
  const what = status === 200 ? `verified  uri=${data.uri}  (${data.bytes} bytes)` : `rejected  ${data.error}`;
  console.log(`fireblocks  ${label.padEnd(16)} ${status}  ${what}${status === expected ? '' : `   <- expected ${expected}`}`);
};
try {
  const list = await api.get<Parameters<typeof report>[2]>('/vault/accounts_paged', { params: { limit: 2, namePrefix: 'ops' } });
  report('GET with query', list.status, list.data, 200);
  const create = await api.post<Parameters<typeof report>[2]>('/transactions', { assetId: 'ETH_TEST5', amount: '0.01', source: { type: 'VAULT_ACCOUNT', id: '0' } });
  report('JSON POST', create.status, create.data, 200);
  const body = JSON.stringify({ amount: '0.01' });
  const headers = { ...(await signer.sign({ method: 'POST', url: '/v1/transactions', body: Buffer.from(body) })), 'content-type': 'application/json' };
  const tampered = await raw.post<Parameters<typeof report>[2]>('/v1/transactions', body.replace('0.01', '999'), { headers });
  report('tampered body', tampered.status, tampered.data, 401);
} finally {
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;
