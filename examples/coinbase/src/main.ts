import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coinbaseSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { coinbaseVerifier, memoryReplayStore, withSignet } from '@signet/verify';

// A stand-in for the CDP / Advanced Trade API on 127.0.0.1: ES256 or EdDSA tokens whose uri names the method, the
// host (its Host header) and the path, each header nonce once.
const keyName = 'organizations/demo-org/apiKeys/demo-key';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const server = createServer(
  withSignet(coinbaseVerifier({ publicKey, replay: memoryReplayStore() }), (_req, res, claims) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ uri: claims['uri'] }));
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// In production: baseURL 'https://api.coinbase.com' and the key secret CDP issued (PEM or its Ed25519 base64).
const signer = coinbaseSigner({ keyName, privateKey });
const signedFetch = createSignedFetch(signer, { baseURL });

let failures = 0;
const report = async (label: string, response: Response, expected: number): Promise<void> => {
  if (response.status !== expected) failures += 1;
  const data = (await response.json()) as { uri?: string; error?: string };
  const what = response.status === 200 ? `verified  uri=${data.uri}` : `rejected  ${data.error}`;
  console.log(`coinbase    ${label.padEnd(16)} ${response.status}  ${what}${response.status === expected ? '' : `   <- expected ${expected}`}`);
};
try {
  await report('GET with query', await signedFetch('/api/v3/brokerage/accounts?limit=2&cursor=abc'), 200);
  await report('JSON POST', await signedFetch('/api/v3/brokerage/orders', { method: 'POST', body: { product_id: 'BTC-USD', side: 'BUY' } }), 200);
  // A token lifted from one request and replayed against another path names the wrong uri.
  const headers = await signer.sign({ method: 'GET', url: '/api/v3/brokerage/accounts', origin: baseURL });
  await report('token moved', await fetch(`${baseURL}/api/v3/brokerage/portfolios`, { headers }), 401);
} finally {
  server.close();
}
process.exitCode = failures === 0 ? 0 : 1;
