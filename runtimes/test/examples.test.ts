import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, quietEnv, runtimeCommand, startProcess, startWorker } from '../src/launch.js';

// Issue 13: the examples/ for each runtime, run in that runtime (pnpm demo runs the same modules under Node): the
// Cloudflare Worker in workerd, the Deno server in Deno, the Bun script in Bun. Tokens going in are minted by
// jsonwebtoken; tokens going out are checked by a node:http payment provider with jsonwebtoken. Outcomes are what
// crossed the wire.

const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));
const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
};
const sha256Hex = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');
/** Signet's per-request RS256 token for `uri` and `body`, minted by jsonwebtoken. */
const mint = (privatePem: string, sub: string, uri: string, body: string) => jwt.sign({ uri, sub, bodyHash: sha256Hex(body) }, privatePem, { algorithm: 'RS256', expiresIn: 55 });

interface Received {
  url: string;
  verified: string;
  claims?: jwt.JwtPayload;
  body: unknown;
}

/** A payment provider on 127.0.0.1 that checks every request's per-request RS256 token with jsonwebtoken. */
async function startProvider(publicPem: string): Promise<Running & { received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => {
        const bytes = Buffer.concat(chunks);
        const entry: Received = { url: req.url ?? '', verified: 'verified', body: JSON.parse(bytes.toString() || 'null') };
        try {
          const claims = jwt.verify((req.headers.authorization ?? '').replace(/^Bearer /, ''), publicPem, { algorithms: ['RS256'] }) as jwt.JwtPayload;
          entry.claims = claims;
          if (claims['uri'] !== req.url) entry.verified = `uri claim ${claims['uri']} is not ${req.url}`;
          else if (claims['bodyHash'] !== sha256Hex(bytes)) entry.verified = 'bodyHash is not the SHA-256 of the bytes received';
        } catch (error) {
          entry.verified = (error as Error).message;
        }
        received.push(entry);
        res.writeHead(entry.verified === 'verified' ? 201 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'pay_1' }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const post = async (url: string, body: string, token?: string) => {
  const response = await fetch(url, { method: 'POST', body, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

describe('examples/cloudflare-worker in workerd: verifies the shop, signs its call to the provider', () => {
  const shop = pair();
  const worker = pair();
  const order = '{"amount":1250,"currency":"EUR"}';
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let edge: Running;
  beforeAll(async () => {
    provider = await startProvider(worker.publicPem);
    edge = await startWorker(
      example('cloudflare-worker/src/worker.ts'),
      { SHOP_PUBLIC_KEY: shop.publicPem, PSP_API_KEY: 'worker-at-psp', PSP_PRIVATE_KEY: worker.privatePem, PSP_URL: provider.origin },
      example('cloudflare-worker'),
      // As a Worker is deployed by default: without nodejs_compat, on the web builds alone.
      { nodeCompat: false },
    );
  }, 120_000);
  afterAll(async () => {
    await edge?.close();
    await provider?.close();
  });

  it('a jsonwebtoken-signed order is accepted, and the provider verifies the call the Worker signed', async () => {
    const answer = await post(`${edge.origin}/orders`, order, mint(shop.privatePem, 'shop-1', '/orders', order));
    expect(answer).toMatchObject({ status: 201, json: { shop: 'shop-1', psp: 201 } });
    expect(provider.received).toHaveLength(1);
    expect(provider.received[0]).toMatchObject({ url: '/v1/payments', verified: 'verified', claims: { sub: 'worker-at-psp' }, body: { amount: 1250, currency: 'EUR', shop: 'shop-1' } });
  });

  it('an order whose body was altered is refused 401 and nothing reaches the provider', async () => {
    const answer = await post(`${edge.origin}/orders`, order.replace('1250', '9250'), mint(shop.privatePem, 'shop-1', '/orders', order));
    expect([answer.status, answer.json['error']]).toEqual([401, 'ERR_BODY_HASH_MISMATCH']);
    expect(provider.received).toHaveLength(1);
  });
});

describe('examples/deno-server in Deno: Deno.serve + verifyFetchRequest', () => {
  const merchant = pair();
  const payment = '{"amount":1250,"currency":"EUR"}';
  let server: Running;
  beforeAll(async () => {
    server = await startProcess('deno', example('deno-server/src/deno.ts'), { MERCHANT_PUBLIC_KEY: merchant.publicPem }, example('deno-server'));
  }, 120_000);
  afterAll(() => server?.close());

  it('a jsonwebtoken-signed payment is accepted with its verified merchant', async () => {
    const answer = await post(`${server.origin}/v1/payments`, payment, mint(merchant.privatePem, 'merchant-1', '/v1/payments', payment));
    expect(answer).toEqual({ status: 201, json: { id: 'pay_1', merchant: 'merchant-1', amount: 1250, currency: 'EUR' } });
  });

  it('an altered body, another key and no token are refused 401 with their codes', async () => {
    const url = `${server.origin}/v1/payments`;
    const altered = await post(url, payment.replace('1250', '9250'), mint(merchant.privatePem, 'merchant-1', '/v1/payments', payment));
    const forged = await post(url, payment, mint(pair().privatePem, 'merchant-1', '/v1/payments', payment));
    const unsigned = await post(url, payment);
    expect([altered, forged, unsigned].map((answer) => [answer.status, answer.json['error']])).toEqual([
      [401, 'ERR_BODY_HASH_MISMATCH'],
      [401, 'ERR_SIGNATURE_INVALID'],
      [401, 'ERR_TOKEN_MISSING'],
    ]);
  });
});

describe('examples/bun-script in Bun: createSignedFetch', () => {
  const merchant = pair();
  let provider: Awaited<ReturnType<typeof startProvider>>;
  beforeAll(async () => {
    provider = await startProvider(merchant.publicPem);
  });
  afterAll(() => provider?.close());

  it('the script creates a payment, and the provider verifies its token and body with jsonwebtoken', async () => {
    const [bun = 'bun'] = runtimeCommand('bun');
    const { stdout } = await promisify(execFile)(bun, [example('bun-script/src/bun.ts')], {
      cwd: example('bun-script'),
      env: quietEnv({ API_URL: provider.origin, API_KEY: 'merchant-1', PRIVATE_KEY: merchant.privatePem }),
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim())).toEqual({ status: 201, answer: { id: 'pay_1' } });
    expect(provider.received).toEqual([{ url: '/v1/payments?idempotency=order-42', verified: 'verified', claims: expect.objectContaining({ sub: 'merchant-1' }), body: { amount: 1250, currency: 'EUR' } }]);
  });
});
