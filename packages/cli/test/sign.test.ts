import { execFile, execFileSync } from 'node:child_process';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, ensureBuilt, makeFixture, sha256Hex, signet } from './support/cli.js';

let fx: Fixture;
let env: Record<string, string>;
beforeAll(async () => {
  await ensureBuilt();
  fx = makeFixture();
  env = { SIGNET_API_KEY: 'ak_live_42', SIGNET_PRIVATE_KEY_FILE: fx.privateKeyFile };
});
afterAll(() => fx.cleanup());

function hasCurl(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v curl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A real server on 127.0.0.1 that records what it received: the request line, the headers, the body bytes. */
async function withServer<T>(run: (origin: string, received: Received[]) => Promise<T>): Promise<T> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.end('ok');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  try {
    return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, received);
  } finally {
    await new Promise((closed) => server.close(closed));
  }
}

describe('signet sign', () => {
  it('prints the headers one per line, Name: value', async () => {
    const { code, stdout, stderr } = await signet(['sign', '--url', 'https://api.example.com/v1/payments?idempotent=1', '--data', '{"amount":1}'], { env });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const match = /^Authorization: Bearer ([\w-]+\.[\w-]+\.[\w-]+)\n$/.exec(stdout);
    expect(match).not.toBeNull();
    const claims = jwt.verify(match?.[1] ?? '', fx.publicPem, { algorithms: ['RS256'] });
    expect(claims).toMatchObject({ uri: '/v1/payments?idempotent=1', sub: 'ak_live_42', bodyHash: sha256Hex('{"amount":1}') });
  });

  it('--json prints method, url, uri and headers whose token verifies for that request', async () => {
    const body = fx.write('payment.json', '{"amount":1250,"currency":"EUR"}');
    const { stdout } = await signet(['sign', '--method', 'put', '--url', 'https://api.example.com/v1/payments/p 1?x=1#frag', '--data', `@${body}`, '--json'], { env });
    const out = JSON.parse(stdout) as { method: string; url: string; uri: string; headers: Record<string, string> };
    expect(out).toMatchObject({ method: 'PUT', url: 'https://api.example.com/v1/payments/p%201?x=1', uri: '/v1/payments/p%201?x=1' });
    expect(Object.keys(out.headers)).toEqual(['Authorization']);
    const token = (out.headers['Authorization'] ?? '').replace(/^Bearer /, '');
    expect(jwt.verify(token, fx.publicPem, { algorithms: ['RS256'] })).toMatchObject({ uri: out.uri, bodyHash: sha256Hex('{"amount":1250,"currency":"EUR"}') });
  });

  it('signs the portone and 2checkout schemes with their headers', async () => {
    const portone = await signet(['sign', '--scheme', 'portone', '--client-key', 'K1', '--url', 'https://api.portone.cloud/api/status', '--json'], { env: { SIGNET_SECRET_FILE: fx.secretFile } });
    const headers = (JSON.parse(portone.stdout) as { headers: Record<string, string> }).headers;
    expect(headers['X-Portone-Client-Key']).toBe('K1');
    expect(jwt.verify((headers['Authorization'] ?? '').replace(/^Bearer /, ''), fx.secret, { algorithms: ['HS256'] })).toMatchObject({ iss: 'PORTONE', sub: 'K1' });
    const twoCheckout = await signet(['sign', '--scheme', '2checkout', '--merchant-code', 'M1', '--url', '/checkout/api/encrypt/generate/signature'], { env: { SIGNET_SECRET: fx.secret } });
    const token = /^merchant-token: (\S+)\n$/.exec(twoCheckout.stdout)?.[1] ?? '';
    expect(jwt.verify(token, fx.secret, { algorithms: ['HS512'] })).toMatchObject({ sub: 'M1' });
  });

  it('--curl prints a command with -X, the exact URL, each header and the body file', async () => {
    const body = fx.write("it's body.json", '{"a":1}');
    const url = 'https://api.example.com/v1/items?filter[name]=x&y=1';
    const { code, stdout } = await signet(['sign', '--url', url, '--data', `@${body}`, '-H', 'Content-Type: application/json', '--curl'], { env });
    expect(code).toBe(0);
    const token = /Authorization: Bearer ([\w-]+\.[\w-]+\.[\w-]+)/.exec(stdout)?.[1] ?? '';
    expect(jwt.verify(token, fx.publicPem, { algorithms: ['RS256'] })).toMatchObject({ uri: '/v1/items?filter[name]=x&y=1', bodyHash: sha256Hex('{"a":1}') });
    expect(stdout).toContain(`curl --globoff -X POST '${url}'`);
    expect(stdout).toContain(`-H 'Authorization: Bearer ${token}'`);
    expect(stdout).toContain("-H 'Content-Type: application/json'");
    expect(stdout).toContain(`--data-binary '@${body.replaceAll("'", "'\\''")}'`);
  });

  const curlMissing = !hasCurl();
  it.skipIf(curlMissing)(`the --curl command, run by sh, sends requests the server verifies${curlMissing ? ' [SKIPPED: curl is not on PATH]' : ''}`, async () => {
    await withServer(async (origin, received) => {
      const body = 'name=Zoë & "friends"\n$HOME `id` \'quoted\'';
      const url = `${origin}/v1/a b/items?q='x y'&list[]=1`;
      const signed = await signet(['sign', '--url', url, '--data', body, '-H', 'Content-Type: text/plain; charset=utf-8', '--curl'], { env });
      expect(signed.code).toBe(0);
      await new Promise<void>((done, fail) => execFile('sh', ['-c', signed.stdout], (error) => (error ? fail(new Error('the signed curl command failed', { cause: error })) : done())));
      expect(received).toHaveLength(1);
      const [request] = received as [Received];
      expect(request.method).toBe('POST');
      expect(request.body.toString('utf8')).toBe(body);
      expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      const claims = jwt.verify(token, fx.publicPem, { algorithms: ['RS256'] });
      expect(claims).toMatchObject({ uri: request.url, bodyHash: sha256Hex(request.body) });
      expect(request.url).toBe('/v1/a%20b/items?q=%27x%20y%27&list[]=1');

      const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 256);
      const file = await signet(['sign', '-X', 'PUT', '--url', `${origin}/v1/blobs/1`, '--data', `@${fx.write('blob.bin', bytes)}`, '--curl'], { env });
      await new Promise<void>((done, fail) => execFile('sh', ['-c', file.stdout], (error) => (error ? fail(new Error('the signed curl command failed', { cause: error })) : done())));
      const upload = received[1] as Received;
      expect({ method: upload.method, url: upload.url, body: upload.body }).toEqual({ method: 'PUT', url: '/v1/blobs/1', body: Buffer.from(bytes) });
      const uploadClaims = jwt.verify((upload.headers.authorization ?? '').replace(/^Bearer /, ''), fx.publicPem, { algorithms: ['RS256'] });
      expect(uploadClaims).toMatchObject({ uri: '/v1/blobs/1', bodyHash: sha256Hex(bytes) });
    });
  });

  it.each([
    ['--curl with a path only', ['--url', '/v1/x', '--curl'], /--curl needs an absolute --url/],
    ['--header without --curl', ['--url', 'https://h/v1', '-H', 'X-A: 1'], /--header is only used with --curl/],
    ['--header replacing the signature', ['--url', 'https://h/v1', '-H', 'authorization: x', '--curl'], /would replace a header the signature sets/],
    ['--json with --curl', ['--url', 'https://h/v1', '--json', '--curl'], /cannot be used with option '--curl'/],
    ['an option of another scheme', ['--url', 'https://h/v1', '--client-key', 'K'], /--client-key does not apply to --scheme request/],
    ['a URL that is not http(s)', ['--url', 'ftp://h/v1'], /--url must be http or https/],
    ['credentials in the URL', ['--url', 'https://u:p@h/v1'], /must not carry user:password@/],
  ])('refuses %s with exit code 2 and one line', async (_name, args, message) => {
    const run = await signet(['sign', ...args], { env });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(2);
  });
});
