import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestToken, createTestToken } from '@signet/test-support';
import { type Fixture, type Run, ensureBuilt, makeFixture, sha256Hex, signet } from './support/cli.js';

// A real SoftHSM2 token (created in a temp directory; SOFTHSM2_CONF, set by createTestToken, reaches the child
// process), and the built CLI signing with keys that stay inside it. jsonwebtoken checks every token against the
// public key node:crypto generated before importing the private key into the token.
let token: TestToken;
let fx: Fixture;
let pinFile: string;
const PIN = 'cli-pin-90817';
const hsm = (keyLabel: string): string[] => ['--pkcs11-library', token.library, '--pkcs11-token', token.tokenLabel, '--pkcs11-key', keyLabel];
const publicPem = (name: 'rsa' | 'ec'): string => token.publicKeys[name].export({ type: 'spki', format: 'pem' }).toString();

beforeAll(async () => {
  await ensureBuilt();
  token = createTestToken('signet-cli', PIN);
  fx = makeFixture();
  pinFile = fx.write('hsm.pin', `${PIN}\n`);
});
afterAll(() => {
  token?.remove();
  fx?.cleanup();
});

/** The run failed with `code` and neither stream holds the PIN. */
function expectRefused(run: Run, errorCode: string, exitCode = 2): void {
  expect(run.code).toBe(exitCode);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(new RegExp(`^signet: .*\\(${errorCode}\\)\\n$`));
  expect(`${run.stdout}${run.stderr}`).not.toContain(PIN);
}

describe('signing with a key held in a PKCS#11 token', () => {
  it("token request: an RS256 token from the token's RSA key, the PIN from SIGNET_PKCS11_PIN, that jsonwebtoken verifies", async () => {
    const body = '{"amount":1250}';
    const run = await signet(['token', 'request', '--url', '/v1/payments?x=1', '--data', body, '--api-key', 'ak_hsm', ...hsm('rsa')], { env: { SIGNET_PKCS11_PIN: PIN } });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const claims = jwt.verify(run.stdout.trim(), publicPem('rsa'), { algorithms: ['RS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ uri: '/v1/payments?x=1', sub: 'ak_hsm', bodyHash: sha256Hex(body) });
    expect(run.stdout).not.toContain(PIN);
  });

  it('token jwt: ES256 from the EC key and PS256 from the RSA key, the PIN from --pkcs11-pin-file or SIGNET_PKCS11_PIN_FILE', async () => {
    const es = await signet(['token', 'jwt', '--alg', 'ES256', '--claims', '{"sub":"svc"}', '--kid', 'hsm-1', '--pkcs11-pin-file', pinFile, ...hsm('ec')]);
    expect({ code: es.code, stderr: es.stderr }).toEqual({ code: 0, stderr: '' });
    const decoded = jwt.verify(es.stdout.trim(), publicPem('ec'), { algorithms: ['ES256'], complete: true });
    expect(decoded.header).toMatchObject({ alg: 'ES256', kid: 'hsm-1' });
    expect(decoded.payload).toMatchObject({ sub: 'svc' });
    const ps = await signet(['token', 'jwt', '--alg', 'PS256', '--claims', '{"sub":"svc"}', ...hsm('rsa')], { env: { SIGNET_PKCS11_PIN_FILE: pinFile } });
    expect({ code: ps.code, stderr: ps.stderr }).toEqual({ code: 0, stderr: '' });
    expect(jwt.verify(ps.stdout.trim(), publicPem('rsa'), { algorithms: ['PS256'] })).toMatchObject({ sub: 'svc' });
  });

  it('sign: the headers of a request signed in the token', async () => {
    const run = await signet(['sign', '--url', 'https://api.example.com/v1/orders?page=2', '--json', '--api-key', 'ak_hsm', ...hsm('rsa')], { env: { SIGNET_PKCS11_PIN: PIN } });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const { headers } = JSON.parse(run.stdout) as { headers: Record<string, string> };
    const bearer = (headers['Authorization'] ?? '').replace(/^Bearer /, '');
    expect(jwt.verify(bearer, publicPem('rsa'), { algorithms: ['RS256'] })).toMatchObject({ uri: '/v1/orders?page=2', sub: 'ak_hsm', bodyHash: sha256Hex('{}') });
  });
});

describe('the PIN stays off the command line and out of every message', () => {
  it('refuses a PIN given as a flag value, pointing at --pkcs11-pin-file, without echoing it', async () => {
    for (const flag of [['--pkcs11-pin', PIN], [`--pkcs11-pin=${PIN}`], ['--pin', PIN]]) {
      const run = await signet(['token', 'request', '--url', '/v1/x', '--api-key', 'ak', ...hsm('rsa'), ...flag]);
      expectRefused(run, 'ERR_USAGE');
      expect(run.stderr).toContain('--pkcs11-pin-file');
      expect(run.stderr).toContain('never from the command line');
    }
  });

  it('without a PIN, names where to put one', async () => {
    const run = await signet(['token', 'request', '--url', '/v1/x', '--api-key', 'ak', ...hsm('rsa')]);
    expectRefused(run, 'ERR_USAGE');
    expect(run.stderr).toContain('--pkcs11-pin-file <path>, or set SIGNET_PKCS11_PIN_FILE or SIGNET_PKCS11_PIN');
  });

  it('a wrong PIN, a wrong key label and a wrong token label are typed errors that show neither PIN', async () => {
    const wrongPin = await signet(['token', 'request', '--url', '/v1/x', '--api-key', 'ak', ...hsm('rsa')], { env: { SIGNET_PKCS11_PIN: 'wrong-pin-31337' } });
    expectRefused(wrongPin, 'ERR_KEY_PASSPHRASE');
    expect(wrongPin.stderr).not.toContain('wrong-pin-31337');
    const noKey = await signet(['token', 'jwt', '--alg', 'ES256', ...hsm('no-such-key')], { env: { SIGNET_PKCS11_PIN: PIN } });
    expectRefused(noKey, 'ERR_KEY_INVALID');
    expect(noKey.stderr).toContain('"no-such-key"');
    const noToken = await signet(['token', 'jwt', '--alg', 'ES256', '--pkcs11-library', token.library, '--pkcs11-token', 'nope', '--pkcs11-key', 'ec'], { env: { SIGNET_PKCS11_PIN: PIN } });
    expectRefused(noToken, 'ERR_KEY_INVALID');
  });
});

describe('the PKCS#11 options are checked before the token is opened', () => {
  const env = { SIGNET_PKCS11_PIN: PIN };

  it('refuses a key file beside them, a missing --pkcs11-key, and algorithms a token key does not sign with', async () => {
    const both = await signet(['token', 'request', '--url', '/v1/x', '--api-key', 'ak', '--key-file', fx.privateKeyFile, ...hsm('rsa')], { env });
    expectRefused(both, 'ERR_USAGE');
    expect(both.stderr).toContain('either --key-file');
    const partial = await signet(['token', 'request', '--url', '/v1/x', '--api-key', 'ak', '--pkcs11-library', token.library, '--pkcs11-token', token.tokenLabel], { env });
    expectRefused(partial, 'ERR_USAGE');
    expect(partial.stderr).toContain('--pkcs11-key is missing');
    const hmac = await signet(['token', 'jwt', '--alg', 'HS256', ...hsm('rsa')], { env });
    expectRefused(hmac, 'ERR_USAGE');
    const rs384 = await signet(['token', 'jwt', '--alg', 'RS384', ...hsm('rsa')], { env });
    expectRefused(rs384, 'ERR_USAGE');
    expect(rs384.stderr).toContain('RS256, PS256, ES256');
  });

  it('refuses an algorithm the token key is not for, and the options on a scheme that takes a secret', async () => {
    const mismatch = await signet(['token', 'jwt', '--alg', 'ES256', ...hsm('rsa')], { env });
    expectRefused(mismatch, 'ERR_KEY_TYPE');
    const portone = await signet(['sign', '--scheme', 'portone', '--url', '/v1/x', '--client-key', 'K', '--secret-file', fx.secretFile, ...hsm('rsa')], { env });
    expectRefused(portone, 'ERR_USAGE');
    expect(portone.stderr).toContain('--pkcs11-library does not apply to --scheme portone');
  });
});
