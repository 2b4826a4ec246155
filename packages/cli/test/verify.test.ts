import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, ensureBuilt, makeFixture, nowSeconds, sha256Hex, signet } from './support/cli.js';
import { testKeys } from '@signet/test-support';

let fx: Fixture;
let signEnv: Record<string, string>;
const BODY = '{"amount":1250,"currency":"EUR"}';
beforeAll(async () => {
  await ensureBuilt();
  fx = makeFixture();
  signEnv = { SIGNET_API_KEY: 'ak_live_42', SIGNET_PRIVATE_KEY_FILE: fx.privateKeyFile };
  fx.write('body.json', BODY);
});
afterAll(() => fx.cleanup());

async function requestToken(url: string, data?: string): Promise<string> {
  const { stdout } = await signet(['token', 'request', '--url', url, ...(data === undefined ? [] : ['--data', data])], { env: signEnv, cwd: fx.dir });
  return stdout.trim();
}

function verify(args: string[], input?: string): ReturnType<typeof signet> {
  return signet(['verify', ...args], { cwd: fx.dir, env: { SIGNET_PUBLIC_KEY_FILE: fx.publicKeyFile }, ...(input === undefined ? {} : { input }) });
}

/**
 * What a real HTTP client put on the wire: a raw TCP server records the bytes node:http sends, up to the end of the
 * body (Content-Length or the last chunk), and answers 204.
 */
async function capture(path: string, headers: Record<string, string>, body: string, chunked: boolean): Promise<Buffer> {
  let resolveRaw: (raw: Buffer) => void = () => {};
  const raw = new Promise<Buffer>((resolve) => (resolveRaw = resolve));
  const server = createServer((socket) => {
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(data.subarray(0, end).toString('latin1'));
      const complete = length ? data.length >= end + 4 + Number(length[1]) : data.subarray(end).includes('\r\n0\r\n\r\n');
      if (!complete) return;
      resolveRaw(data);
      socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', done);
    });
    req.on('error', fail);
    if (chunked) {
      req.write(body.slice(0, 10));
      req.end(body.slice(10));
    } else {
      req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    }
  });
  await new Promise((closed) => server.close(closed));
  return raw;
}

describe('signet verify --scheme request', () => {
  it('a token for this URL and body is valid: exit 0, "valid" and the claims', async () => {
    const token = await requestToken('/v1/payments?idempotent=1', '@body.json');
    const { code, stdout, stderr } = await verify(['--token', token, '--url', '/v1/payments?idempotent=1', '--data', '@body.json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]).toBe('valid');
    expect(JSON.parse(stdout.slice('valid\n'.length))).toMatchObject({ uri: '/v1/payments?idempotent=1', sub: 'ak_live_42', bodyHash: sha256Hex(BODY) });
  });

  it('--json prints {valid: true, claims}; the token may come from stdin with Bearer', async () => {
    const token = await requestToken('https://api.example.com/v1/x');
    const { code, stdout } = await verify(['--token', '-', '--url', 'https://api.example.com/v1/x', '--json'], `Bearer ${token}\n`);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ valid: true, claims: jwt.decode(token) });
  });

  it.each([
    ['another body', ['--url', '/v1/payments', '--data', '{"amount":9999,"currency":"EUR"}'], 'ERR_BODY_HASH_MISMATCH'],
    ['no body', ['--url', '/v1/payments'], 'ERR_BODY_HASH_MISMATCH'],
    ['another path', ['--url', '/v1/refunds', '--data', '@body.json'], 'ERR_URI_MISMATCH'],
    ['another query', ['--url', '/v1/payments?idempotent=2', '--data', '@body.json'], 'ERR_URI_MISMATCH'],
  ])('a request with %s is invalid: exit 1, the code on stderr', async (_name, args, errorCode) => {
    const token = await requestToken('/v1/payments', '@body.json');
    const run = await verify(['--token', token, ...args]);
    expect(run).toMatchObject({ code: 1, stdout: 'invalid\n' });
    expect(run.stderr).toMatch(new RegExp(`^signet: .+ \\(${errorCode}\\)\\n$`));
    const json = await verify(['--token', token, ...args, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ valid: false, code: errorCode, message: expect.any(String) });
  });

  it('a token signed with another key, or altered, is ERR_SIGNATURE_INVALID', async () => {
    const other = fx.write('other.pub', testKeys().rsaOther.publicKeyPem);
    const token = await requestToken('/v1/x');
    const otherKey = await signet(['verify', '--public-key-file', other, '--token', token, '--url', '/v1/x']);
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toMatch(/\(ERR_SIGNATURE_INVALID\)\n$/);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...(jwt.decode(token) as object), sub: 'someone-else' })).toString('base64url');
    const altered = await verify(['--token', `${header}.${payload}.${signature}`, '--url', '/v1/x']);
    expect(altered.stderr).toMatch(/\(ERR_SIGNATURE_INVALID\)\n$/);
  });

  it('an expired token is ERR_TOKEN_EXPIRED, and valid --at a time within its life', async () => {
    const iat = nowSeconds() - 3600;
    const token = jwt.sign({ uri: '/v1/x', iat, exp: iat + 55, sub: 'ak', bodyHash: sha256Hex('{}') }, fx.privatePem, { algorithm: 'RS256' });
    const now = await verify(['--token', token, '--url', '/v1/x']);
    expect(now.code).toBe(1);
    expect(now.stderr).toMatch(/\(ERR_TOKEN_EXPIRED\)\n$/);
    expect((await verify(['--token', token, '--url', '/v1/x', '--at', String(iat + 10)])).code).toBe(0);
    expect((await verify(['--token', token, '--url', '/v1/x', '--at', new Date((iat + 10) * 1000).toISOString()])).code).toBe(0);
  });

  it.each([false, true])('a request captured off the wire (chunked: %s) verifies from --request-file, and fails once altered', async (chunked) => {
    const { stdout } = await signet(['sign', '--url', 'http://127.0.0.1/v1/payments?idempotent=1', '--data', BODY, '--json'], { env: signEnv });
    const raw = await capture('/v1/payments?idempotent=1', (JSON.parse(stdout) as { headers: Record<string, string> }).headers, BODY, chunked);
    expect(raw.toString('latin1')).toMatch(chunked ? /\r\nTransfer-Encoding: chunked\r\n/i : new RegExp(`\\r\\ncontent-length: ${BODY.length}\\r\\n`, 'i'));
    const file = fx.write(`captured-${chunked}.http`, raw);
    const valid = await verify(['--request-file', file, '--json']);
    expect({ code: valid.code, stderr: valid.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(valid.stdout)).toMatchObject({ valid: true, claims: { uri: '/v1/payments?idempotent=1', bodyHash: sha256Hex(BODY) } });
    const altered = fx.write(`altered-${chunked}.http`, raw.toString('latin1').replace('1250', '9250'));
    const invalid = await verify(['--request-file', altered]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/\(ERR_BODY_HASH_MISMATCH\)\n$/);
  });

  it('a hand-written request file with LF line ends and a bare body verifies, also from stdin', async () => {
    const token = await requestToken('/v1/payments', '@body.json');
    const raw = `POST /v1/payments HTTP/1.1\nHost: api.example.com\nAuthorization: Bearer ${token}\n\n${BODY}`;
    expect((await verify(['--request-file', fx.write('typed.http', raw)])).code).toBe(0);
    expect((await verify(['--request-file', '-'], raw)).code).toBe(0);
    const noToken = await verify(['--request-file', '-'], `POST /v1/payments HTTP/1.1\nHost: x\n\n${BODY}`);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/\(ERR_TOKEN_MISSING\)\n$/);
  });

  it.each([
    ['no public key', ['--token', 'a.b.c', '--url', '/v1/x'], {}, /needs the public key: give --public-key-file <path>, or set SIGNET_PUBLIC_KEY_FILE or SIGNET_PUBLIC_KEY \(ERR_USAGE\)/],
    ['no token nor request file', [], { SIGNET_PUBLIC_KEY_FILE: 'public.pem' }, /give --token <token>/],
    ['a token without --url', ['--token', 'a.b.c'], { SIGNET_PUBLIC_KEY_FILE: 'public.pem' }, /give --url/],
    ['--request-file with --token', ['--request-file', 'x.http', '--token', 'a.b.c'], { SIGNET_PUBLIC_KEY_FILE: 'public.pem' }, /cannot be used with option '--token/],
    ['a request file that is not HTTP', ['--request-file', 'body.json'], { SIGNET_PUBLIC_KEY_FILE: 'public.pem' }, /is not a raw HTTP request.+\(ERR_INPUT\)/],
    ['a secret file for the request scheme', ['--token', 'a.b.c', '--url', '/', '--secret-file', 'secret.txt'], { SIGNET_PUBLIC_KEY_FILE: 'public.pem' }, /--secret-file does not apply to --scheme request/],
    ['a secret file given as the public key', ['--token', 'a.b.c', '--url', '/', '--public-key-file', 'secret.txt'], {}, /\(ERR_KEY_INVALID\)/],
  ])('refuses %s: exit 2, one line', async (_name, args, env, message) => {
    const run = await signet(['verify', ...args], { cwd: fx.dir, env });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(2);
  });
});

describe('signet verify --scheme portone and 2checkout', () => {
  it('a PortOne token verifies with the client key and secret; another client key is ERR_CLIENT_KEY_MISMATCH', async () => {
    const env = { SIGNET_SECRET_FILE: fx.secretFile };
    const token = (await signet(['token', 'portone', '--client-key', 'K1'], { env })).stdout.trim();
    const valid = await signet(['verify', '--scheme', 'portone', '--client-key', 'K1', '--token', token, '--json'], { env });
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ valid: true, claims: { iss: 'PORTONE', sub: 'K1' } });
    const other = await signet(['verify', '--scheme', 'portone', '--client-key', 'K2', '--token', token], { env });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/\(ERR_CLIENT_KEY_MISMATCH\)\n$/);
  });

  it('a 2Checkout token verifies with the merchant code and secret; another secret is ERR_SIGNATURE_INVALID', async () => {
    const token = (await signet(['token', '2checkout', '--merchant-code', 'M1'], { env: { SIGNET_SECRET: fx.secret } })).stdout.trim();
    const valid = await signet(['verify', '--scheme', '2checkout', '--merchant-code', 'M1', '--token', token], { env: { SIGNET_SECRET: fx.secret } });
    expect(valid).toMatchObject({ code: 0, stderr: '' });
    expect(valid.stdout).toMatch(/^valid\n/);
    const wrong = await signet(['verify', '--scheme', '2checkout', '--merchant-code', 'M1', '--token', token], { env: { SIGNET_SECRET: 'another-secret' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/\(ERR_SIGNATURE_INVALID\)\n$/);
  });

  it('a missing secret is a one-line usage error, exit 2', async () => {
    const run = await signet(['verify', '--scheme', '2checkout', '--merchant-code', 'M1', '--token', 'a.b.c']);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe('signet: verifying the 2checkout scheme needs the HMAC secret: give --secret-file <path>, or set SIGNET_SECRET_FILE or SIGNET_SECRET (ERR_USAGE)\n');
  });
});
