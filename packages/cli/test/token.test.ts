import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, ensureBuilt, makeFixture, nowSeconds, sha256Hex, signet } from './support/cli.js';
import { testKeys } from '@signet/test-support';

let fx: Fixture;
let keyEnv: Record<string, string>;
beforeAll(async () => {
  await ensureBuilt();
  fx = makeFixture();
  keyEnv = { SIGNET_API_KEY: 'ak_live_42', SIGNET_PRIVATE_KEY_FILE: fx.privateKeyFile };
});
afterAll(() => fx.cleanup());

function verifyRs256(token: string, publicPem = fx.publicPem): jwt.JwtPayload {
  return jwt.verify(token, publicPem, { algorithms: ['RS256'] }) as jwt.JwtPayload;
}

describe('signet token request', () => {
  it('mints an RS256 token that jsonwebtoken verifies, bound to the path + query and the body file bytes', async () => {
    const body = '{"amount":1250,"currency":"EUR"}\n';
    const before = nowSeconds();
    const { code, stdout, stderr } = await signet(['token', 'request', '--url', 'https://api.example.com/v1/payments?idempotent=1', '--data', `@${fx.write('body.json', body)}`], { env: keyEnv });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = verifyRs256(stdout.trim());
    expect(claims).toEqual({ uri: '/v1/payments?idempotent=1', iat: expect.any(Number), exp: (claims.iat as number) + 55, sub: 'ak_live_42', bodyHash: sha256Hex(body) });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(nowSeconds());
  });

  it('hashes inline text as UTF-8 and a body from stdin byte for byte', async () => {
    const inline = await signet(['token', 'request', '--url', '/v1/x', '--data', '{"name":"Zoë"}'], { env: keyEnv });
    expect(verifyRs256(inline.stdout.trim()).bodyHash).toBe(sha256Hex(Buffer.from('{"name":"Zoë"}', 'utf8')));
    const bytes = Uint8Array.from([0, 255, 10, 13, 128]);
    const piped = await signet(['token', 'request', '--url', '/v1/upload', '--data', '-'], { env: keyEnv, input: bytes });
    expect(verifyRs256(piped.stdout.trim()).bodyHash).toBe(sha256Hex(bytes));
  });

  it('without --data hashes {} (or --empty-body), and encodes the URL as the WHATWG parser does', async () => {
    const none = await signet(['token', 'request', '--url', "/v1/a b/ü?q='x y'&list[]=1"], { env: keyEnv });
    const claims = verifyRs256(none.stdout.trim());
    const url = new URL("/v1/a b/ü?q='x y'&list[]=1", 'https://api.example.com');
    expect(claims.uri).toBe(url.pathname + url.search);
    expect(claims.uri).toBe('/v1/a%20b/%C3%BC?q=%27x%20y%27&list[]=1');
    expect(claims.bodyHash).toBe(sha256Hex('{}'));
    const empty = await signet(['token', 'request', '--url', '/v1/x', '--empty-body', ''], { env: keyEnv });
    expect(verifyRs256(empty.stdout.trim()).bodyHash).toBe(sha256Hex(''));
  });

  it('takes --expires-in, --nonce, --api-key, --key-file, and a PEM with escaped newlines in SIGNET_PRIVATE_KEY', async () => {
    const { stdout } = await signet(['token', 'request', '--url', '/v1/x', '--expires-in', '30', '--nonce', '--api-key', 'ak_flag', '--key-file', fx.privateKeyFile]);
    const claims = verifyRs256(stdout.trim());
    expect(claims.exp).toBe((claims.iat as number) + 30);
    expect(claims.sub).toBe('ak_flag');
    expect(claims['nonce']).toMatch(/^[0-9a-f-]{36}$/);
    const oneLine = fx.privatePem.trim().replaceAll('\n', '\\n');
    const fromEnv = await signet(['token', 'request', '--url', '/v1/x'], { env: { SIGNET_API_KEY: 'ak', SIGNET_PRIVATE_KEY: oneLine } });
    expect(verifyRs256(fromEnv.stdout.trim()).sub).toBe('ak');
  });

  it('reads an encrypted key with its passphrase from --passphrase-file', async () => {
    const { privateKey, publicKey } = testKeys().rsa;
    const encrypted = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }).toString();
    const args = ['token', 'request', '--url', '/v1/x', '--api-key', 'ak', '--key-file', fx.write('encrypted.pem', encrypted)];
    const ok = await signet([...args, '--passphrase-file', fx.write('pass.txt', 'correct horse\n')]);
    expect(ok.code).toBe(0);
    verifyRs256(ok.stdout.trim(), publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const missing = await signet(args);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^signet: .+ \(ERR_KEY_PASSPHRASE\)\n$/);
  });

  it('--json prints the token with its decoded header and payload', async () => {
    const { stdout } = await signet(['token', 'request', '--url', '/v1/x', '--json'], { env: keyEnv });
    const out = JSON.parse(stdout) as { token: string; header: object; payload: object };
    expect(out.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(out.payload).toEqual(verifyRs256(out.token));
  });
});

describe('signet token portone', () => {
  it('mints HS256 {iss: PORTONE, sub, iat, exp: iat + 100} with the secret from --secret-file, trailing newline ignored', async () => {
    const { code, stdout } = await signet(['token', 'portone', '--client-key', 'SglffyyZgojEdXWL', '--secret-file', fx.secretFile]);
    expect(code).toBe(0);
    const claims = jwt.verify(stdout.trim(), fx.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toEqual({ iss: 'PORTONE', sub: 'SglffyyZgojEdXWL', iat: expect.any(Number), exp: (claims.iat as number) + 100 });
  });

  it('takes the secret from SIGNET_SECRET or SIGNET_SECRET_FILE, and --issuer and --expires-in', async () => {
    const viaValue = await signet(['token', 'portone', '--issuer', 'CHAIPAY', '--expires-in', '60'], { env: { SIGNET_SECRET: fx.secret, SIGNET_CLIENT_KEY: 'K1' } });
    const claims = jwt.verify(viaValue.stdout.trim(), fx.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ iss: 'CHAIPAY', sub: 'K1', exp: (claims.iat as number) + 60 });
    const viaFile = await signet(['token', 'portone', '--client-key', 'K2'], { env: { SIGNET_SECRET_FILE: fx.secretFile } });
    expect(jwt.verify(viaFile.stdout.trim(), fx.secret, { algorithms: ['HS256'] })).toMatchObject({ sub: 'K2' });
  });
});

describe('signet token 2checkout', () => {
  it('mints HS512 {sub: merchant code, iat, exp: iat + 1800}, or without exp with --no-exp', async () => {
    const env = { SIGNET_SECRET_FILE: fx.secretFile };
    const withExp = await signet(['token', '2checkout', '--merchant-code', 'MERCH_1'], { env });
    const claims = jwt.verify(withExp.stdout.trim(), fx.secret, { algorithms: ['HS512'] }) as jwt.JwtPayload;
    expect(claims).toEqual({ sub: 'MERCH_1', iat: expect.any(Number), exp: (claims.iat as number) + 1800 });
    const noExp = await signet(['token', '2checkout', '--merchant-code', 'MERCH_1', '--no-exp'], { env });
    expect(jwt.verify(noExp.stdout.trim(), fx.secret, { algorithms: ['HS512'] })).toEqual({ sub: 'MERCH_1', iat: expect.any(Number) });
  });
});

describe('signet token jwt', () => {
  it('mints HS256 with the given claims, iat and exp = iat + 300', async () => {
    const { stdout } = await signet(['token', 'jwt', '--alg', 'HS256', '--claims', '{"sub":"svc-billing","role":"admin"}'], { env: { SIGNET_SECRET: fx.secret } });
    const claims = jwt.verify(stdout.trim(), fx.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toEqual({ sub: 'svc-billing', role: 'admin', iat: expect.any(Number), exp: (claims.iat as number) + 300 });
  });

  it('reproduces the reference primer token with a short secret, --no-iat and --no-exp', async () => {
    const secretFile = fx.write('primer.secret', 'my_super_secret_key');
    const { stdout } = await signet(['token', 'jwt', '--alg', 'HS256', '--secret-file', secretFile, '--allow-short-secret', '--no-iat', '--no-exp', '--claims', '{"user_id":123,"role":"admin"}']);
    expect(stdout).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxMjMsInJvbGUiOiJhZG1pbiJ9.xiQIIxG93IoH5fEuP9BtFeqvJTGI9-XKcnVm0mrJsVc\n');
  });

  it('signs ES256 with a private key, claims from a file, a kid and --expires-in', async () => {
    const claimsFile = fx.write('claims.json', '{"iss":"signet-tests","aud":"api"}');
    const { code, stdout } = await signet(['token', 'jwt', '--alg', 'ES256', '--key-file', fx.ecPrivateKeyFile, '--claims', `@${claimsFile}`, '--kid', 'k-2026', '--expires-in', '60']);
    expect(code).toBe(0);
    const { header, payload } = jwt.verify(stdout.trim(), fx.ecPublicPem, { algorithms: ['ES256'], complete: true });
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k-2026' });
    expect(payload).toEqual({ iss: 'signet-tests', aud: 'api', iat: expect.any(Number), exp: ((payload as jwt.JwtPayload).iat as number) + 60 });
  });

  it.each([
    ['a private key for HS256', ['--alg', 'HS256', '--key-file', 'private.pem'], /HS256 signs with a shared secret/],
    ['a secret for RS256', ['--alg', 'RS256', '--secret-file', 'secret.txt'], /RS256 signs with a private key/],
    ['claims that are not an object', ['--alg', 'HS256', '--secret-file', 'secret.txt', '--claims', '[1]'], /--claims must be a JSON object \(ERR_INPUT\)/],
    ['claims that are not JSON', ['--alg', 'HS256', '--secret-file', 'secret.txt', '--claims', '{sub:1}'], /--claims is not valid JSON \(ERR_INPUT\)/],
    ['an unknown algorithm', ['--alg', 'none', '--secret-file', 'secret.txt'], /Allowed choices are HS256/],
  ])('refuses %s with exit code 2', async (_name, args, message) => {
    const run = await signet(['token', 'jwt', ...args], { cwd: fx.dir });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n')).toHaveLength(2);
  });
});
