import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createSignedAxios } from '@signet/axios';
import { bithumbSigner, upbitSigner } from '@signet/core';
import { type Verifier, bithumbVerifier, memoryReplayStore, upbitVerifier, withSignet } from '@signet/verify';

// Stand-ins for the Upbit and Bithumb APIs on 127.0.0.1: HS256 tokens, query_hash over the query or JSON body, each nonce once.
const accessKey = 'exchange-demo-access-key';
const secretKey = 'exchange-demo-secret-key'; // In production: read from a secret store, never hard-coded.
const keys = (key: string): string | undefined => (key === accessKey ? secretKey : undefined);

async function standIn(verifier: Verifier): Promise<{ origin: string; close: () => void }> {
  const server = createServer(
    withSignet(verifier, (_req, res, claims, body) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hashed: claims['query_hash'] !== undefined, bytes: body.length }));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

let failures = 0;
/** What the stand-in answers. */
interface Answer {
  hashed?: boolean;
  bytes?: number;
  error?: string;
}

const report = (scheme: string, label: string, status: number, data: Answer, expected: number): void => {
  if (status !== expected) failures += 1;
  const what = status === 200 ? `verified  query_hash=${data.hashed ? 'yes' : 'none'}  (${data.bytes} bytes)` : `rejected  ${data.error}`;
  console.log(`${scheme.padEnd(8)} ${label.padEnd(16)} ${status}  ${what}${status === expected ? '' : `   <- expected ${expected}`}`);
};

const upbit = await standIn(upbitVerifier({ secretForAccessKey: keys, replay: memoryReplayStore() }));
const bithumb = await standIn(bithumbVerifier({ secretForAccessKey: keys, replay: memoryReplayStore() }));
try {
  // In production: baseURL https://api.upbit.com (or https://api.bithumb.com).
  const up = createSignedAxios(upbitSigner({ accessKey, secretKey }), { baseURL: upbit.origin, validateStatus: () => true });
  const accounts = await up.get<Answer>('/v1/accounts');
  report('upbit', 'GET no params', accounts.status, accounts.data, 200);
  const closed = await up.get<Answer>('/v1/orders/closed', { params: { market: 'KRW-BTC', 'states[]': ['done', 'cancel'] } });
  report('upbit', 'GET with query', closed.status, closed.data, 200);

  const bithumbSigning = bithumbSigner({ accessKey, secretKey });
  const bt = createSignedAxios(bithumbSigning, { baseURL: bithumb.origin, validateStatus: () => true });
  const order = { market: 'KRW-BTC', side: 'bid', price: '5000', ord_type: 'price' };
  const placed = await bt.post<Answer>('/v1/orders', order);
  report('bithumb', 'JSON POST', placed.status, placed.data, 200);

  // A token signed for one order, sent with another price: query_hash no longer matches.
  const body = JSON.stringify(order);
  const headers = { ...(await bithumbSigning.sign({ method: 'POST', url: '/v1/orders', body: Buffer.from(body) })), 'content-type': 'application/json' };
  const tampered = await axios.post<Answer>(`${bithumb.origin}/v1/orders`, body.replace('5000', '9000000'), { headers, validateStatus: () => true });
  report('bithumb', 'tampered body', tampered.status, tampered.data, 401);
} finally {
  upbit.close();
  bithumb.close();
}
process.exitCode = failures === 0 ? 0 : 1;
