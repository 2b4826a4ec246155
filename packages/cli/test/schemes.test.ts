import { createHash, createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testKeys } from '@signet/test-support';
import { compactVerify, decodeProtectedHeader, importJWK, importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, ensureBuilt, makeFixture, sha256Hex, signet } from './support/cli.js';

// Each token is checked with jose, each RFC 9421 signature with node:crypto over a base rebuilt from what a
// node:http server received: never with Signet's own verifiers.
let fx: Fixture;
let ed: { privateKeyFile: string; publicPem: string };
beforeAll(async () => {
  await ensureBuilt();
  fx = makeFixture();
  const pair = testKeys().ed25519;
  ed = {
    privateKeyFile: fx.write('ed.pem', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
});
afterAll(() => fx.cleanup());

const b64url = (text: string): string => createHash('sha256').update(text).digest('base64url');

describe('signet token fireblocks|coinbase|dpop', () => {
  it('fireblocks: RS256 with uri, a nonce, sub = API key, bodyHash of the exact body, exp = iat + 29', async () => {
    const env = { SIGNET_API_KEY: 'fb-key', SIGNET_PRIVATE_KEY_FILE: fx.privateKeyFile };
    const run = await signet(['token', 'fireblocks', '--url', '/v1/transactions?limit=2', '--data', '{"amount":"1"}'], { env });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { payload } = await jwtVerify(run.stdout.trim(), await importSPKI(fx.publicPem, 'RS256'), { algorithms: ['RS256'] });
    expect(payload).toMatchObject({ uri: '/v1/transactions?limit=2', sub: 'fb-key', bodyHash: sha256Hex('{"amount":"1"}') });
    expect(typeof payload['nonce']).toBe('string');
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(29);
    const bodiless = await signet(['token', 'fireblocks', '--url', '/v1/vault/accounts_paged', '--json'], { env });
    expect(JSON.parse(bodiless.stdout).payload.bodyHash).toBe(sha256Hex(''));
  });

  it("coinbase: ES256 with kid = sub = key name, iss 'cdp', and uri '<METHOD> <host><path>' without the query", async () => {
    const run = await signet(['token', 'coinbase', '--key-name', 'organizations/o/apiKeys/k', '--key-file', fx.ecPrivateKeyFile, '--url', 'https://api.coinbase.com/api/v3/brokerage/orders?limit=1', '-X', 'post']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { payload, protectedHeader } = await jwtVerify(run.stdout.trim(), await importSPKI(fx.ecPublicPem, 'ES256'), { algorithms: ['ES256'] });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'organizations/o/apiKeys/k', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'organizations/o/apiKeys/k', iss: 'cdp', uri: 'POST api.coinbase.com/api/v3/brokerage/orders' });
    expect((payload.exp ?? 0) - (payload.nbf ?? 0)).toBe(120);
    const hosted = await signet(['token', 'coinbase', '--key-name', 'k', '--key-file', fx.ecPrivateKeyFile, '--host', 'api.cdp.coinbase.com', '--url', '/platform/v1/networks', '--json']);
    expect(JSON.parse(hosted.stdout).payload.uri).toBe('GET api.cdp.coinbase.com/platform/v1/networks');
  });

  it('dpop: a dpop+jwt proof verifying with its own jwk, htu without the query, ath of the access token, the nonce given', async () => {
    const accessTokenFile = fx.write('at.txt', 'at-123\n');
    const run = await signet(['token', 'dpop', '--key-file', fx.ecPrivateKeyFile, '--url', 'https://rs.example.com/v1/me?x=1', '--access-token-file', accessTokenFile, '--dpop-nonce', 'n-1']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const proof = run.stdout.trim();
    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    expect(header.jwk).not.toHaveProperty('d');
    const { payload } = await jwtVerify(proof, await importJWK(header.jwk as object, 'ES256'), { typ: 'dpop+jwt' });
    expect(payload).toMatchObject({ htm: 'GET', htu: 'https://rs.example.com/v1/me', ath: b64url('at-123'), nonce: 'n-1' });
  });

  it('refuses a path-only --url for the schemes that bind the host, naming the flags', async () => {
    const dpop = await signet(['token', 'dpop', '--key-file', fx.ecPrivateKeyFile, '--url', '/v1/me']);
    expect(dpop).toMatchObject({ code: 2 });
    expect(dpop.stderr).toMatch(/--scheme dpop binds the host: give an absolute --url/);
    const coinbase = await signet(['token', 'coinbase', '--key-name', 'k', '--key-file', fx.ecPrivateKeyFile, '--url', '/v1/x']);
    expect(coinbase.stderr).toMatch(/absolute --url .*, or --host/);
  });

  it('takes the access token only from a file or the environment, never echoing a value typed on the command line', async () => {
    const typed = await signet(['token', 'dpop', '--key-file', fx.ecPrivateKeyFile, '--url', 'https://rs.example.com/', '--access-token=at-SECRET-1']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).not.toContain('at-SECRET-1');
    const fromEnv = await signet(['token', 'dpop', '--key-file', fx.ecPrivateKeyFile, '--url', 'https://rs.example.com/', '--json'], { env: { SIGNET_ACCESS_TOKEN: 'at-env' } });
    expect(JSON.parse(fromEnv.stdout).payload.ath).toBe(b64url('at-env'));
  });
});

/** A node:http server on 127.0.0.1 that keeps what it received. */
async function received(send: (origin: string) => Promise<void>): Promise<{ method: string; url: string; headers: Record<string, string>; body: Buffer }> {
  let got: { method: string; url: string; headers: Record<string, string>; body: Buffer } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      got = { method: req.method ?? '', url: req.url ?? '', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) };
      res.end('ok');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((closed) => server.close(closed));
  }
  if (got === undefined) throw new Error('the server received nothing');
  return got;
}

describe('signet sign --scheme http-signature', () => {
  it('signs method, authority, path, query, Content-Digest and a -H Content-Type; the base rebuilt from the wire verifies with node:crypto', async () => {
    const body = '{"amount":1250}';
    const wire = await received(async (origin) => {
      const run = await signet([
        'sign',
        '--scheme',
        'http-signature',
        '--alg',
        'ed25519',
        '--kid',
        'client-1',
        '--key-file',
        ed.privateKeyFile,
        '--url',
        `${origin}/v1/pay?dry=1`,
        '--data',
        body,
        '-H',
        'Content-Type: application/json',
        '--json',
      ]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const printed = JSON.parse(run.stdout) as { method: string; url: string; headers: Record<string, string> };
      await fetch(printed.url, { method: printed.method, headers: printed.headers, body });
    });
    const h = wire.headers;
    expect(h['content-digest']).toBe(`sha-256=:${createHash('sha256').update(wire.body).digest('base64')}:`);
    const params = /^sig1=(\(.*)$/.exec(h['signature-input'] ?? '')?.[1] ?? '';
    expect(params).toMatch(/^\("@method" "@authority" "@path" "@query" "content-digest" "content-type"\);created=\d+;keyid="client-1"$/);
    const [path, query] = wire.url.split('?');
    const base = [
      `"@method": ${wire.method}`,
      `"@authority": ${h['host']}`,
      `"@path": ${path}`,
      `"@query": ?${query}`,
      `"content-digest": ${h['content-digest']}`,
      `"content-type": ${h['content-type']}`,
      `"@signature-params": ${params}`,
    ].join('\n');
    const signature = Buffer.from(/^sig1=:([A-Za-z0-9+/=]+):$/.exec(h['signature'] ?? '')?.[1] ?? '', 'base64');
    expect(cryptoVerify(null, Buffer.from(base), createPublicKey(ed.publicPem), signature)).toBe(true);
  });

  it('refuses -H for a header the signature sets, and a missing --alg or --kid, naming the flag', async () => {
    const common = ['sign', '--scheme', 'http-signature', '--key-file', ed.privateKeyFile, '--url', 'https://api.example.com/x'];
    expect((await signet([...common, '--alg', 'ed25519', '--kid', 'k', '-H', 'Signature: x'])).stderr).toMatch(/would replace a header the signature sets/);
    expect((await signet([...common, '--kid', 'k'])).stderr).toMatch(/needs --alg, one of/);
    expect((await signet([...common, '--alg', 'ed25519'])).stderr).toMatch(/needs --kid/);
    expect((await signet([...common, '--alg', 'ed25519', '--kid', 'k', '--client-key', 'c'])).stderr).toMatch(/--client-key does not apply to --scheme http-signature/);
  });
});

describe('signet verify --scheme fireblocks|coinbase|dpop|http-signature', () => {
  it('fireblocks: valid as signed; another uri or API key is refused with exit 1, and --explain says what differed', async () => {
    const env = { SIGNET_API_KEY: 'fb-key', SIGNET_PRIVATE_KEY_FILE: fx.privateKeyFile };
    const token = (await signet(['token', 'fireblocks', '--url', '/v1/vault?x=1'], { env })).stdout.trim();
    const verify = (args: string[]): ReturnType<typeof signet> => signet(['verify', '--scheme', 'fireblocks', '--public-key-file', fx.publicKeyFile, '--token', token, ...args]);
    expect(await verify(['--api-key', 'fb-key', '--url', '/v1/vault?x=1'])).toMatchObject({ code: 0 });
    const other = await verify(['--api-key', 'fb-key', '--url', '/v1/vault?x=2', '--explain']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/ERR_URI_MISMATCH/);
    expect(other.stdout).toContain('"received": "/v1/vault?x=2"');
    expect((await verify(['--api-key', 'someone-else', '--url', '/v1/vault?x=1'])).code).toBe(1);
  });

  it('coinbase: valid for the host and path signed, refused for another host', async () => {
    const token = (await signet(['token', 'coinbase', '--key-name', 'k', '--key-file', fx.ecPrivateKeyFile, '--url', 'https://api.coinbase.com/api/v3/x'])).stdout.trim();
    const verify = (url: string): ReturnType<typeof signet> => signet(['verify', '--scheme', 'coinbase', '--public-key-file', fx.write('ec.pub', fx.ecPublicPem), '--token', token, '--url', url]);
    expect(await verify('https://api.coinbase.com/api/v3/x?any=1')).toMatchObject({ code: 0 });
    const elsewhere = await verify('https://evil.example/api/v3/x');
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/ERR_URI_MISMATCH/);
  });

  it('dpop: valid with its access token, refused for another path or without the token it is bound to', async () => {
    const accessTokenFile = fx.write('at2.txt', 'at-xyz');
    const proof = (await signet(['token', 'dpop', '--key-file', fx.ecPrivateKeyFile, '--url', 'https://rs.example.com/v1/me', '--access-token-file', accessTokenFile])).stdout.trim();
    const verify = (args: string[]): ReturnType<typeof signet> => signet(['verify', '--scheme', 'dpop', '--token', proof, '--origin', 'https://rs.example.com', ...args]);
    expect(await verify(['--url', '/v1/me', '--access-token-file', accessTokenFile])).toMatchObject({ code: 0 });
    expect((await verify(['--url', '/v1/other', '--access-token-file', accessTokenFile])).code).toBe(1);
    expect((await verify(['--url', '/v1/me', '--access-token-file', fx.write('at3.txt', 'at-other')])).code).toBe(1);
  });

  it('http-signature: a captured request verifies; the same capture with another body is refused', async () => {
    const body = '{"a":1}';
    const signed = await signet(['sign', '--scheme', 'http-signature', '--alg', 'ed25519', '--kid', 'c1', '--key-file', ed.privateKeyFile, '--url', 'https://api.example.com/v1/x?q=1', '--data', body, '--json']);
    const headers = (JSON.parse(signed.stdout) as { headers: Record<string, string> }).headers;
    const capture = (sent: string): string =>
      `POST /v1/x?q=1 HTTP/1.1\r\nHost: api.example.com\r\n${Object.entries(headers)
        .map(([n, v]) => `${n}: ${v}\r\n`)
        .join('')}Content-Length: ${sent.length}\r\n\r\n${sent}`;
    const edPub = fx.write('ed.pub', ed.publicPem);
    const verify = (file: string): ReturnType<typeof signet> =>
      signet(['verify', '--scheme', 'http-signature', '--alg', 'ed25519', '--kid', 'c1', '--public-key-file', edPub, '--origin', 'https://api.example.com', '--request-file', file]);
    expect(await verify(fx.write('ok.http', capture(body)))).toMatchObject({ code: 0 });
    const tampered = await verify(fx.write('bad.http', capture('{"a":2}')));
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/\(ERR_[A-Z_]+\)\n$/);
    expect((await signet(['verify', '--scheme', 'http-signature', '--alg', 'ed25519', '--public-key-file', edPub, '--token', 'x'])).stderr).toMatch(/give --request-file/);
  });
});

const sha512Hex = (text: string): string => createHash('sha512').update(text).digest('hex');

describe('signet token|sign|verify --scheme upbit|bithumb|truelayer', () => {
  const secret = 'exchange-secret-key-0123456789';
  const secretKey = new TextEncoder().encode(secret);

  it('upbit: what the server received carries an HS256 token with access_key, a UUID nonce and query_hash of the decoded query', async () => {
    const env = { SIGNET_SECRET_FILE: fx.write('upbit.secret', `${secret}\n`) };
    const wire = await received(async (origin) => {
      const run = await signet(['sign', '--scheme', 'upbit', '--access-key', 'up-key', '--url', `${origin}/v1/orders?market=KRW-BTC&states%5B%5D=wait&states%5B%5D=watch`, '--json'], { env });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const printed = JSON.parse(run.stdout) as { method: string; url: string; headers: Record<string, string> };
      await fetch(printed.url, { method: printed.method, headers: printed.headers });
    });
    const token = (wire.headers['authorization'] ?? '').replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(token, secretKey, { algorithms: ['HS256'] });
    expect(protectedHeader.alg).toBe('HS256');
    const query = decodeURIComponent(wire.url.split('?')[1] ?? '');
    expect(query).toBe('market=KRW-BTC&states[]=wait&states[]=watch');
    expect(payload).toMatchObject({ access_key: 'up-key', query_hash: sha512Hex(query), query_hash_alg: 'SHA512' });
    expect(payload['nonce']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const bare = await signet(['token', 'upbit', '--access-key', 'up-key', '--url', '/v1/accounts', '--alg', 'HS512', '--json'], { env });
    expect(JSON.parse(bare.stdout).header.alg).toBe('HS512');
    expect(JSON.parse(bare.stdout).payload).not.toHaveProperty('query_hash');
  });

  it('bithumb: a POST token binds the JSON body parameters and a millisecond timestamp; verify accepts it and refuses another body', async () => {
    const env = { SIGNET_SECRET: secret };
    const body = '{"market":"KRW-BTC","side":"bid","price":"5000","ord_type":"price"}';
    const run = await signet(['token', 'bithumb', '--access-key', 'bt-key', '--url', '/v1/orders', '--data', body], { env });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { payload } = await jwtVerify(run.stdout.trim(), secretKey, { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ access_key: 'bt-key', query_hash: sha512Hex('market=KRW-BTC&side=bid&price=5000&ord_type=price'), query_hash_alg: 'SHA512' });
    expect(Math.abs((payload['timestamp'] as number) - Date.now())).toBeLessThan(600_000);
    const verify = (sent: string, key = 'bt-key'): ReturnType<typeof signet> =>
      signet(['verify', '--scheme', 'bithumb', '--access-key', key, '--token', run.stdout.trim(), '--url', '/v1/orders', '--data', sent], { env });
    expect(await verify(body)).toMatchObject({ code: 0 });
    const tampered = await verify(body.replace('5000', '9000'));
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/\(ERR_[A-Z_]+\)\n$/);
    expect((await verify(body, 'other-key')).code).toBe(1);
  });

  it('takes the exchange secret only from a file or the environment, never echoing a value typed on the command line', async () => {
    const typed = await signet(['token', 'upbit', '--access-key', 'k', '--url', '/v1/accounts', '--secret-key=SECRET-TYPED-1']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).not.toContain('SECRET-TYPED-1');
    const missing = await signet(['token', 'bithumb', '--access-key', 'k', '--url', '/v1/accounts']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/needs the HMAC secret: give --secret-file <path>, or set SIGNET_SECRET_FILE or SIGNET_SECRET/);
  });

  it('truelayer: the Tl-Signature received verifies with jose (ES512) over method, path, Idempotency-Key and body; verify refuses a tampered capture', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const keyFile = fx.write('tl.pem', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const body = '{"amount_in_minor":100,"currency":"GBP"}';
    const wire = await received(async (origin) => {
      const run = await signet(['sign', '--scheme', 'truelayer', '--kid', 'kid-1', '--key-file', keyFile, '--url', `${origin}/v3/payments`, '--data', body, '-H', 'Idempotency-Key: idem-1', '--json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const printed = JSON.parse(run.stdout) as { method: string; url: string; headers: Record<string, string> };
      await fetch(printed.url, { method: printed.method, headers: printed.headers, body });
    });
    const [header, , signature] = (wire.headers['tl-signature'] ?? '').split('.');
    const payload = Buffer.concat([Buffer.from(`${wire.method} ${wire.url}\nIdempotency-Key: ${wire.headers['idempotency-key']}\n`), wire.body]);
    const verified = await compactVerify(`${header}.${payload.toString('base64url')}.${signature}`, await importSPKI(publicPem, 'ES512'), { algorithms: ['ES512'] });
    expect(verified.protectedHeader).toMatchObject({ alg: 'ES512', kid: 'kid-1', tl_version: '2', tl_headers: 'Idempotency-Key' });
    expect(wire.headers['idempotency-key']).toBe('idem-1');

    const capture = (sent: string): string =>
      `POST /v3/payments HTTP/1.1\r\nHost: api.truelayer-sandbox.com\r\nIdempotency-Key: idem-1\r\nTl-Signature: ${wire.headers['tl-signature']}\r\nContent-Length: ${sent.length}\r\n\r\n${sent}`;
    const verify = (file: string): ReturnType<typeof signet> => signet(['verify', '--scheme', 'truelayer', '--public-key-file', fx.write('tl.pub', publicPem), '--kid', 'kid-1', '--request-file', file]);
    expect(await verify(fx.write('tl-ok.http', capture(body)))).toMatchObject({ code: 0 });
    const tampered = await verify(fx.write('tl-bad.http', capture(body.replace('100', '900'))));
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/ERR_SIGNATURE_INVALID/);
    const noKey = await signet(['sign', '--scheme', 'truelayer', '--kid', 'kid-1', '--key-file', keyFile, '--url', '/v3/payments', '--data', body]);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toMatch(/Idempotency-Key/);
  });
});
