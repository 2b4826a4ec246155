import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestVerifier, withSignet } from '@signet/verify';
import { createPayment } from './pay.ts';

// The demo: the Bun script's createPayment() run under Node (Bun runs src/bun.ts in runtimes/test/examples.test.ts)
// against a local API on 127.0.0.1 that verifies each request with @signet/verify.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const api = createServer(
  withSignet(requestVerifier({ publicKey }), (req, res, claims, body) => {
    res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'pay_1', merchant: claims['sub'], uri: req.url, bytes: body.length }));
  }),
).listen(0, '127.0.0.1');
await new Promise((resolve) => api.once('listening', resolve));
try {
  const result = await createPayment(
    { baseURL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, apiKey: 'merchant-1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
    { amount: 1250, currency: 'EUR' },
  );
  console.log(`bun     createPayment                  ${result.status}  ${JSON.stringify(result.answer)}`);
  process.exitCode = result.status === 201 ? 0 : 1;
} finally {
  api.close();
}
