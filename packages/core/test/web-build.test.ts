import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { importSPKI, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeys } from '@signet/test-support';
import { ALGORITHMS } from '../src/algorithm-registry.js';
import * as nodeBuild from '../src/index.js';
import { type CaseResult, FIXED_NOW, type WebBuildCase, runCases } from './web-build/runner.mjs';

// Issue 13: the web build (dist/web: WebCrypto, no node:crypto, no Buffer), bundled from the current sources by its
// own tsup config, then run in a child Node process with Buffer deleted and nothing importable: it has no import at
// all. The same cases run in-process on the Node build. Deterministic algorithms (RSASSA-PKCS1-v1_5, HMAC, EdDSA)
// must give the very same bytes; PS256 and ECDSA tokens must verify with jose and jsonwebtoken (and be low-S).

const run = promisify(execFile);
const coreDir = fileURLToPath(new URL('..', import.meta.url));
const tsup = join(coreDir, '..', '..', 'node_modules', '.bin', 'tsup');
const keys = testKeys();
const now = FIXED_NOW / 1000;

const pemBody = (pem: string): string => pem.replace(/-----[^-]+-----|\s/g, '');
const secret = 'w'.repeat(64);
const request = { method: 'POST', url: '/v1/payments?dry=1&tag=a%20b', body: '{"amount":1250,"note":"Grüße 🚀"}', origin: 'https://api.example.com' };
const jwtCase = (name: string, algorithm: string, key: WebBuildCase['key'], extra: Record<string, unknown> = {}): WebBuildCase => ({
  name,
  make: 'jwtSigner',
  keyOption: 'key',
  key,
  options: { algorithm, claims: { sub: 'web', n: 1 }, ...extra },
  request,
});

// An Ed25519 PKCS#8 whose seed is 31 bytes: well-formed DER, so the web build takes it at construction, but no key.
const shortSeed = Buffer.concat([Buffer.from('302d020100300506032b65700421041f', 'hex'), Buffer.alloc(31, 7)]);
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaJwk = keys.rsa.privateKey.export({ format: 'jwk' });
const edJwk = keys.ed25519.privateKey.export({ format: 'jwk' });
const badCdpSecret = (() => {
  const bytes = Buffer.from(cdpSecretOf(edJwk), 'base64');
  bytes[40] = (bytes[40] ?? 0) ^ 1;
  return bytes.toString('base64');
})();
// CDP issues Ed25519 keys as base64 of the seed followed by the public key.
function cdpSecretOf(jwk: { d?: string; x?: string }): string {
  return Buffer.concat([Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')]).toString('base64');
}
const cdpSecret = cdpSecretOf(edJwk);
const encrypted = keys.rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass' }).toString();

/** Same bytes from both builds. */
const SAME: WebBuildCase[] = [
  jwtCase('HS256 string secret', 'HS256', { text: secret }),
  jwtCase('HS384 string secret', 'HS384', { text: secret }),
  jwtCase('HS512 string secret', 'HS512', { text: secret }),
  jwtCase('HS256 oct JWK', 'HS256', { jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url') } }),
  jwtCase('HS256 HMAC CryptoKey', 'HS256', { cryptoKey: { format: 'raw', data: secret, algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign'] } }),
  jwtCase('RS256 PKCS#8 PEM', 'RS256', { text: keys.rsa.privateKeyPem }, { keyId: 'k1' }),
  jwtCase('RS384 PKCS#8 PEM', 'RS384', { text: keys.rsa.privateKeyPem }),
  jwtCase('RS512 PKCS#8 PEM', 'RS512', { text: keys.rsa.privateKeyPem }),
  jwtCase('RS256 PEM on one line with literal \\n (.env)', 'RS256', { text: keys.rsa.privateKeyPem.trim().replaceAll('\n', '\\n') }),
  jwtCase('RS256 PEM indented, CRLF', 'RS256', {
    text: keys.rsa.privateKeyPem
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\r\n'),
  }),
  jwtCase('RS256 PKCS#1 PEM', 'RS256', { text: keys.rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() }),
  jwtCase('RS256 bare base64 DER', 'RS256', { text: pemBody(keys.rsa.privateKeyPem) }),
  jwtCase('RS256 private JWK', 'RS256', { jwk: rsaJwk }),
  jwtCase('RS256 CryptoKey', 'RS256', { cryptoKey: { format: 'pkcs8', data: keys.rsa.privateKeyPem, algorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, usages: ['sign'] } }),
  jwtCase('RS256 SigningKey', 'RS256', {
    signingKey: { algorithm: 'RS256', cryptoKey: { format: 'pkcs8', data: keys.rsa.privateKeyPem, algorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, usages: ['sign'] } },
  }),
  jwtCase('EdDSA PKCS#8 PEM', 'EdDSA', { text: keys.ed25519.privateKeyPem }),
  jwtCase('EdDSA private JWK', 'EdDSA', { jwk: edJwk }),
  { name: 'requestSigner', make: 'requestSigner', keyOption: 'privateKey', key: { text: keys.rsa.privateKeyPem }, options: { apiKey: 'key-1', bindMethod: true }, request },
  { name: 'requestSigner, no body', make: 'requestSigner', keyOption: 'privateKey', key: { text: keys.rsa.privateKeyPem }, options: { apiKey: 'key-1' }, request: { method: 'GET', url: '/v1/x' } },
  {
    name: "coinbaseSigner, CDP's Ed25519 secret",
    make: 'coinbaseSigner',
    keyOption: 'privateKey',
    key: { text: cdpSecret },
    options: { keyName: 'organizations/o/apiKeys/k', host: 'api.coinbase.com', fixedNonce: 'abc' },
    request,
  },
  { name: 'portOneSigner', make: 'portOneSigner', keyOption: 'secretKey', key: { text: secret }, options: { clientKey: 'client' }, request },
  { name: 'twoCheckoutSigner', make: 'twoCheckoutSigner', keyOption: 'secretWord', key: { text: secret }, options: { merchantCode: 'M1' }, request },
  {
    name: 'upbitSigner (query hash)',
    make: 'upbitSigner',
    keyOption: 'secretKey',
    key: { text: secret },
    options: { accessKey: 'a', fixedNonce: 'n', clock: false },
    request: { method: 'GET', url: '/v1/orders?market=KRW-BTC&states[]=done' },
  },
  {
    name: 'httpMessageSigner ed25519 (Content-Digest)',
    make: 'httpMessageSigner',
    keyOption: 'key',
    key: { text: keys.ed25519.privateKeyPem },
    options: { algorithm: 'ed25519', keyId: 'k', contentDigest: 'sha-512' },
    request,
  },
  { name: 'httpMessageSigner hmac-sha256', make: 'httpMessageSigner', keyOption: 'key', key: { text: secret }, options: { algorithm: 'hmac-sha256', keyId: 'k' }, request },
];

/** Randomized signatures: both builds' tokens verify with independent verifiers. */
const VERIFIED: Array<WebBuildCase & { publicKeyPem: string; alg: 'PS256' | 'ES256' | 'ES384' | 'ES512' }> = [
  { ...jwtCase('PS256 PKCS#8 PEM', 'PS256', { text: keys.rsa.privateKeyPem }), publicKeyPem: keys.rsa.publicKeyPem, alg: 'PS256' },
  { ...jwtCase('ES256 PKCS#8 PEM', 'ES256', { text: keys.p256.privateKeyPem }), publicKeyPem: keys.p256.publicKeyPem, alg: 'ES256' },
  { ...jwtCase('ES256 SEC1 PEM', 'ES256', { text: keys.p256.privateKey.export({ type: 'sec1', format: 'pem' }).toString() }), publicKeyPem: keys.p256.publicKeyPem, alg: 'ES256' },
  {
    // As `openssl ecparam -genkey -name prime256v1` writes it: the curve's parameters first.
    ...jwtCase('ES256 SEC1 PEM after EC PARAMETERS', 'ES256', {
      text: `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${keys.p256.privateKey.export({ type: 'sec1', format: 'pem' }).toString()}`,
    }),
    publicKeyPem: keys.p256.publicKeyPem,
    alg: 'ES256',
  },
  { ...jwtCase('ES256 private JWK', 'ES256', { jwk: keys.p256.privateKey.export({ format: 'jwk' }) }), publicKeyPem: keys.p256.publicKeyPem, alg: 'ES256' },
  { ...jwtCase('ES384 PKCS#8 PEM', 'ES384', { text: keys.p384.privateKeyPem }), publicKeyPem: keys.p384.publicKeyPem, alg: 'ES384' },
];

/** Refusals: the code, and when each build gives it (the web build imports the key on the first sign()). */
const REFUSED: Array<{ case: WebBuildCase; node: Partial<CaseResult>; web: Partial<CaseResult> }> = [
  { case: jwtCase('a 1024-bit RSA key', 'RS256', { text: rsa1024 }), node: { error: 'ERR_KEY_TOO_SMALL', at: 'construction' }, web: { error: 'ERR_KEY_TOO_SMALL', at: 'construction' } },
  { case: jwtCase('a P-384 key for ES256', 'ES256', { text: keys.p384.privateKeyPem }), node: { error: 'ERR_KEY_TYPE', at: 'construction' }, web: { error: 'ERR_KEY_TYPE', at: 'construction' } },
  { case: jwtCase('an EC key for RS256', 'RS256', { text: keys.p256.privateKeyPem }), node: { error: 'ERR_KEY_TYPE', at: 'construction' }, web: { error: 'ERR_KEY_TYPE', at: 'construction' } },
  { case: jwtCase('a public PEM', 'RS256', { text: keys.rsa.publicKeyPem }), node: { error: 'ERR_KEY_NOT_PRIVATE', at: 'construction' }, web: { error: 'ERR_KEY_NOT_PRIVATE', at: 'construction' } },
  { case: jwtCase('a public JWK', 'RS256', { jwk: { kty: 'RSA', n: rsaJwk.n, e: rsaJwk.e } }), node: { error: 'ERR_KEY_NOT_PRIVATE', at: 'construction' }, web: { error: 'ERR_KEY_NOT_PRIVATE', at: 'construction' } },
  { case: jwtCase('an RSA JWK for HS256', 'HS256', { jwk: rsaJwk }), node: { error: 'ERR_KEY_TYPE', at: 'construction' }, web: { error: 'ERR_KEY_TYPE', at: 'construction' } },
  { case: jwtCase('a DER public key', 'RS256', { text: pemBody(keys.rsa.publicKeyPem) }), node: { error: 'ERR_KEY_NOT_PRIVATE', at: 'construction' }, web: { error: 'ERR_KEY_NOT_PRIVATE', at: 'construction' } },
  { case: jwtCase('not a key', 'RS256', { text: 'not a key at all' }), node: { error: 'ERR_KEY_INVALID', at: 'construction' }, web: { error: 'ERR_KEY_INVALID', at: 'construction' } },
  {
    case: jwtCase('an ECDSA CryptoKey for RS256', 'RS256', { cryptoKey: { format: 'pkcs8', data: keys.p256.privateKeyPem, algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['sign'] } }),
    node: { error: 'ERR_KEY_TYPE', at: 'construction' },
    web: { error: 'ERR_KEY_TYPE', at: 'construction' },
  },
  {
    case: jwtCase('an encrypted PEM with its passphrase', 'RS256', { text: encrypted }, { passphrase: 'pass' }),
    node: { headers: expect.any(Array) as never },
    // No node:crypto to decrypt it: refused, and the message names `openssl pkcs8 -topk8 -nocrypt`.
    web: { error: 'ERR_KEY_PASSPHRASE', at: 'construction' },
  },
  {
    case: jwtCase('an Ed25519 PKCS#8 with a 31-byte seed', 'EdDSA', { text: shortSeed.toString('base64') }),
    node: { error: 'ERR_KEY_INVALID', at: 'construction' },
    // Well-formed DER: WebCrypto refuses it on the first sign(), with Node's code, and again on the next.
    web: { error: 'ERR_KEY_INVALID', at: 'sign', again: 'ERR_KEY_INVALID' },
  },
  {
    case: {
      name: "a CDP Ed25519 secret whose public half is not its seed's",
      make: 'coinbaseSigner',
      keyOption: 'privateKey',
      key: { text: badCdpSecret },
      options: { keyName: 'k', host: 'api.coinbase.com' },
      request,
    },
    node: { error: 'ERR_KEY_INVALID', at: 'construction' },
    // The web build cannot derive the public half synchronously: WebCrypto's import of the pair is the check.
    web: { error: 'ERR_KEY_INVALID', at: 'sign', again: 'ERR_KEY_INVALID' },
  },
  {
    case: jwtCase('an HMAC SHA-256 CryptoKey for HS512', 'HS512', { cryptoKey: { format: 'raw', data: secret, algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign'] } }),
    // Node makes it a secret KeyObject, which any HMAC may use; a web CryptoKey is bound to its hash.
    node: { headers: expect.any(Array) as never },
    web: { error: 'ERR_KEY_TYPE', at: 'construction' },
  },
];

const ALL = [...SAME, ...VERIFIED, ...REFUSED.map((entry) => entry.case)];

let scratch: string;
let bundle: string;
let web: Record<string, CaseResult>;
let node: Record<string, CaseResult>;
let webDecoded: unknown;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'signet-web-build-'));
  await run(tsup, ['--config', 'build/web/tsup.config.ts', '--out-dir', scratch, '--silent'], { cwd: coreDir, timeout: 120_000 });
  bundle = readFileSync(join(scratch, 'index.js'), 'utf8');
  writeFileSync(join(scratch, 'cases.json'), JSON.stringify(ALL));
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL('./web-build/runner.mjs', import.meta.url)), join(scratch, 'index.js'), join(scratch, 'cases.json')], { timeout: 120_000 });
  ({ results: web, decoded: webDecoded } = JSON.parse(stdout) as { results: Record<string, CaseResult>; decoded: unknown });
  node = await runCases(nodeBuild, ALL);
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the web build', () => {
  it('imports nothing: no node: built-in, no bare built-in, no package', () => {
    expect(bundle).not.toMatch(/^\s*import\s/m);
    expect(bundle).not.toMatch(/\bfrom\s*["']/);
    expect(bundle).not.toMatch(/\brequire\s*\(|\bimport\s*\(/);
  });

  it.each(SAME.map((entry) => entry.name))('%s: the same bytes as the Node build', (name) => {
    expect(node[name]).toHaveProperty('headers');
    expect(web[name]).toEqual(node[name]);
  });

  it.each(VERIFIED.map((entry) => entry.name))('%s: both builds sign tokens jose and jsonwebtoken verify, low-S for ECDSA', async (name) => {
    const { alg, publicKeyPem } = VERIFIED.find((entry) => entry.name === name)!;
    const spec = ALGORITHMS[alg];
    for (const result of [node[name], web[name]]) {
      expect(result).toHaveProperty('headers');
      for (const headers of (result as { headers: Array<Record<string, string>> }).headers) {
        const token = (headers['Authorization'] ?? '').replace(/^Bearer /, '');
        const { payload } = await jwtVerify(token, await importSPKI(publicKeyPem, alg), { currentDate: new Date(FIXED_NOW), algorithms: [alg] });
        expect(payload).toMatchObject({ sub: 'web', n: 1, iat: now });
        expect(jwt.verify(token, publicKeyPem, { algorithms: [alg], clockTimestamp: now })).toMatchObject({ sub: 'web' });
        if (spec.curveOrder !== undefined) {
          const signature = Buffer.from(token.split('.')[2] ?? '', 'base64url');
          expect(signature.length).toBe(spec.signatureBytes);
          expect(BigInt(`0x${signature.subarray(signature.length / 2).toString('hex')}`) <= spec.curveOrder >> 1n).toBe(true);
        }
      }
    }
  });

  it.each(REFUSED.map((entry) => entry.case.name))('%s: refused with the same code on both builds, at the documented moment', (name) => {
    const expected = REFUSED.find((entry) => entry.case.name === name)!;
    expect(node[name]).toMatchObject(expected.node);
    expect(web[name]).toMatchObject(expected.web);
  });

  it('decodes a JWT without Buffer', () => {
    expect(webDecoded).toEqual(nodeBuild.decodeJwt('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3ZWIifQ.c2ln'));
  });
});
