import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, ensureBuilt, makeFixture, signet } from './support/cli.js';

// On the command line a setting is a flag: errors name `--key-file`, not the library's `privateKey`, and a flag
// named after a library option or another tool (`--private-key <path>`) is answered with the flag that does it.

let fx: Fixture;
let rsaPublicKeyFile: string;
beforeAll(async () => {
  await ensureBuilt();
  fx = makeFixture();
  rsaPublicKeyFile = fx.write('rsa-public.pem', generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
});
afterAll(() => fx.cleanup());

const LIBRARY_NAMES = /\b(privateKey|publicKey|secretKey|secretWord|apiKey|apiKeyHeader|clientKey|merchantCode|keyId|expiresInSeconds|emptyBody|allowShortSecret)\b/;

describe('errors name the CLI flag, never the library option', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ['an --api-key with a CR', () => ['token', 'request', '--url', '/', '--api-key', 'a\rb', '--key-file', fx.privateKeyFile], /^signet: --api-key contains a control character/],
    [
      'a public key in --key-file',
      () => ['token', 'request', '--url', '/', '--api-key', 'a', '--key-file', rsaPublicKeyFile],
      /^signet: the private key \(--key-file\) is a PEM "PUBLIC KEY"; a private key is required \(ERR_KEY_NOT_PRIVATE\)/,
    ],
    ['a text file in --key-file', () => ['token', 'request', '--url', '/', '--api-key', 'a', '--key-file', fx.write('note.txt', 'not a key')], /^signet: the private key \(--key-file\) could not be parsed/],
    [
      'an --api-key-header that is no header name',
      () => ['sign', '--url', 'https://api.example.com/x', '--api-key', 'a', '--key-file', fx.privateKeyFile, '--api-key-header', 'X Key'],
      /^signet: --api-key-header must be a valid HTTP header name/,
    ],
    ['a --client-key with a LF', () => ['token', 'portone', '--client-key', 'c\nx', '--secret-file', fx.secretFile], /^signet: --client-key contains a control character/],
    ['a PEM key as the PortOne secret', () => ['token', 'portone', '--client-key', 'c', '--secret-file', fx.publicKeyFile], /^signet: the secret \(--secret-file\) is a PEM key or certificate/],
    ['a --merchant-code with a CR', () => ['token', '2checkout', '--merchant-code', 'm\r', '--secret-file', fx.secretFile], /^signet: --merchant-code contains a control character/],
    ['a --kid with a CR', () => ['token', 'jwt', '--alg', 'HS256', '--secret-file', fx.secretFile, '--kid', 'k\r'], /^signet: --kid contains a control character/],
    ['a short HS256 secret', () => ['token', 'jwt', '--alg', 'HS256', '--secret-file', fx.write('short.txt', 'short')], /^signet: the secret \(--secret-file\) is shorter than 32 bytes.*pass --allow-short-secret/],
    ['an --issuer with a CR', () => ['token', 'portone', '--client-key', 'c', '--secret-file', fx.secretFile, '--issuer', 'I\r'], /^signet: --issuer contains a control character/],
  ];

  it.each(cases)('%s', async (_name, args, expected) => {
    const run = await signet(args());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).not.toMatch(LIBRARY_NAMES);
  });
});

describe('a flag named after a library option or another tool suggests the flag that does it', () => {
  it.each([
    [['token', 'request', '--url', '/', '--private-key', 'key.pem'], '--private-key', '--key-file'],
    [['token', 'request', '--url', '/', '--private-key-file', 'key.pem'], '--private-key-file', '--key-file'],
    [['token', 'jwt', '--alg', 'RS256', '--key', 'key.pem'], '--key', '--key-file'],
    [['token', 'portone', '--client-key', 'c', '--secret-key', 'x'], '--secret-key', '--secret-file'],
    [['token', 'request', '--url', '/', '--passphrase', 'x'], '--passphrase', '--passphrase-file'],
    [['verify', '--token', 'a.b.c', '--url', '/', '--public-key', 'pub.pem'], '--public-key', '--public-key-file'],
    [['token', 'jwt', '--alg', 'HS256', '--algorithm', 'HS256'], '--algorithm', '--alg'],
    [['token', 'portone', '--expires-in-seconds', '30'], '--expires-in-seconds', '--expires-in'],
  ])('%j', async (args, flag, meant) => {
    const run = await signet(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`signet: unknown option '${flag}'; did you mean ${meant}?`);
    // The value after the flag may be a secret: it is never repeated.
    expect(run.stderr).not.toContain('key.pem');
  });
});
