import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign, webcrypto } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Hono, type MiddlewareHandler } from 'hono';
import { SignJWT, importPKCS8 } from 'jose';
import jwt from 'jsonwebtoken';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../src/launch.js';

// Issue 13: @signet/verify's web build (the `workerd`, `worker`, `browser` and `default` conditions) on WebCrypto.
// In Node, one table of cases runs against both builds and must give the same answers; the bundle must import no
// Node built-in. In workerd WITHOUT nodejs_compat, a Worker bundled from the published entry points verifies
// requests signed here by jsonwebtoken and jose, through verifyFetchRequest and signetHono.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const verifyDist = here('../../packages/verify/dist/');
const run = promisify(execFile);
const require = createRequire(import.meta.url);

type Verifier = { verify(request: { method: string; url: string; headers: Record<string, string>; body: Uint8Array }): Promise<Record<string, unknown>> };
type Build = {
  requestVerifier(options: Record<string, unknown>): Verifier;
  portOneVerifier(options: Record<string, unknown>): Verifier;
  dpopVerifier(options: Record<string, unknown>): Verifier;
  upbitVerifier(options: Record<string, unknown>): Verifier;
  bithumbVerifier(options: Record<string, unknown>): Verifier;
  trueLayerVerifier(options: Record<string, unknown>): Verifier;
  verifyFetchRequest(verifier: Verifier, request: Request): Promise<{ claims: Record<string, unknown>; body: Uint8Array }>;
  refusalResponse(error: unknown): Response;
};

const generate = <T extends 'rsa' | 'ec' | 'ed25519'>(type: T, options: object = {}): { privateKey: KeyObject; publicKey: KeyObject } => generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
const rsa = generate('rsa', { modulusLength: 2048 });
const otherRsa = generate('rsa', { modulusLength: 2048 });
const smallRsa = generate('rsa', { modulusLength: 1024 });
const p256 = generate('ec', { namedCurve: 'P-256' });
const p384 = generate('ec', { namedCurve: 'P-384' });
const ed25519 = generate('ed25519');
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const portOneSecret = 'portone-secret-0123456789abcdef-0123456789abcdef';
// P-256's group order: (r, n - s) is the high-S twin of a low-S signature (r, s).
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const PATH = '/v1/payments?merchant=42';
const BODY = '{"amount":1250,"note":"Grüße 🚀"}';
const TAMPERED = BODY.replace('1250', '9250');
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What a token is minted for: the target and body it binds, its subject, and the key that signs it. */
interface Mint {
  uri?: string;
  body?: string;
  sub?: string;
  key?: KeyObject | string;
}
const claimsFor = ({ uri = PATH, body = BODY, sub = 'merchant-1' }: Mint) => {
  const now = Math.floor(Date.now() / 1000);
  return { sub, uri, bodyHash: createHash('sha256').update(body).digest('hex'), iat: now, exp: now + 50 };
};
const segments = (token: string): [string, string, Buffer] => {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, Buffer.from(signature, 'base64url')];
};

/**
 * A token minted by jsonwebtoken (RS256, PS256, ES256, HS256 in PortOne's shape) or jose (EdDSA). ES256 comes in its
 * low-S spelling (jsonwebtoken leaves S as it falls) or, for `ES256 high-S`, its high-S twin (r, n - s).
 */
async function mint(alg: 'RS256' | 'PS256' | 'ES256' | 'ES256 high-S' | 'EdDSA' | 'HS256', options: Mint = {}): Promise<string> {
  if (alg === 'HS256') {
    const now = Math.floor(Date.now() / 1000);
    return jwt.sign({ iss: 'PORTONE', sub: 'ck-1', iat: now, exp: now + 90 }, options.key ?? portOneSecret, { algorithm: 'HS256' });
  }
  if (alg === 'EdDSA') {
    const pem = ed25519.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    return new SignJWT(claimsFor(options)).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(await importPKCS8(pem, 'EdDSA'));
  }
  if (alg === 'RS256' || alg === 'PS256') return jwt.sign(claimsFor(options), options.key ?? rsa.privateKey, { algorithm: alg });
  const [header, payload, signature] = segments(jwt.sign(claimsFor(options), p256.privateKey, { algorithm: 'ES256' }));
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const low = s > P256_ORDER >> 1n ? P256_ORDER - s : s;
  const wanted = alg === 'ES256' ? low : P256_ORDER - low;
  const twin = Buffer.concat([signature.subarray(0, 32), Buffer.from(wanted.toString(16).padStart(64, '0'), 'hex')]);
  return `${header}.${payload}.${twin.toString('base64url')}`;
}

/** One bit of the signature flipped: a malleated token. */
function malleated(token: string): string {
  const [header, payload, signature] = segments(token);
  const middle = signature.length >> 1;
  signature[middle] = (signature[middle] as number) ^ 0x01;
  return `${header}.${payload}.${signature.toString('base64url')}`;
}

/** The same signature bytes spelled with other trailing bits (base64url that decodes alike but is not canonical). */
function nonCanonical(token: string): string {
  const last = token.at(-1) as string;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
}

const unsigned = (options: Mint = {}): string => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claimsFor(options))).toString('base64url')}.`;

let certificatePem = '';
let cryptoKey: CryptoKey;
let node: Build;
let web: Build;

interface Case {
  name: string;
  verifier: (build: Build) => Verifier;
  token: () => string | Promise<string>;
  body?: string;
  headers?: Record<string, string>;
  /** The claim the verified request must carry, or the code of the refusal. */
  expected: { sub: string } | { code: string };
}

const rsaVerifier = (build: Build) => build.requestVerifier({ publicKey: rsaPem });
const accepted = { sub: 'merchant-1' };

/** The one table both builds answer: what is accepted, and the code of every refusal. */
const CASES: Case[] = [
  { name: 'RS256 (jsonwebtoken), PEM SPKI key', verifier: rsaVerifier, token: () => mint('RS256'), expected: accepted },
  { name: 'PS256 (jsonwebtoken)', verifier: (b) => b.requestVerifier({ publicKey: rsaPem, algorithms: ['PS256'] }), token: () => mint('PS256'), expected: accepted },
  { name: 'ES256 (jsonwebtoken, low-S), JWK key', verifier: (b) => b.requestVerifier({ publicKey: p256.publicKey.export({ format: 'jwk' }), algorithms: ['ES256'] }), token: () => mint('ES256'), expected: accepted },
  {
    name: 'EdDSA (jose), DER SPKI key',
    verifier: (b) => b.requestVerifier({ publicKey: new Uint8Array(ed25519.publicKey.export({ type: 'spki', format: 'der' })), algorithms: ['EdDSA'] }),
    token: () => mint('EdDSA'),
    expected: accepted,
  },
  { name: 'RS256, PKCS#1 PEM key', verifier: (b) => b.requestVerifier({ publicKey: rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) }), token: () => mint('RS256'), expected: accepted },
  { name: 'RS256, X.509 certificate (openssl)', verifier: (b) => b.requestVerifier({ publicKey: certificatePem }), token: () => mint('RS256'), expected: accepted },
  { name: 'RS256, CryptoKey', verifier: (b) => b.requestVerifier({ publicKey: cryptoKey }), token: () => mint('RS256'), expected: accepted },
  { name: 'RS256, key looked up by API key', verifier: (b) => b.requestVerifier({ keyForApiKey: (k: string) => (k === 'merchant-1' ? rsaPem : undefined) }), token: () => mint('RS256'), expected: accepted },
  {
    name: 'HS256 (jsonwebtoken), portOneVerifier',
    verifier: (b) => b.portOneVerifier({ clientKey: 'ck-1', secretKey: portOneSecret }),
    token: () => mint('HS256'),
    headers: { 'x-portone-client-key': 'ck-1' },
    expected: { sub: 'ck-1' },
  },
  { name: 'malleated RS256 signature', verifier: rsaVerifier, token: async () => malleated(await mint('RS256')), expected: { code: 'ERR_SIGNATURE_INVALID' } },
  { name: 'malleated PS256 signature', verifier: (b) => b.requestVerifier({ publicKey: rsaPem, algorithms: ['PS256'] }), token: async () => malleated(await mint('PS256')), expected: { code: 'ERR_SIGNATURE_INVALID' } },
  {
    name: 'malleated EdDSA signature',
    verifier: (b) => b.requestVerifier({ publicKey: ed25519.publicKey.export({ type: 'spki', format: 'pem' }), algorithms: ['EdDSA'] }),
    token: async () => malleated(await mint('EdDSA')),
    expected: { code: 'ERR_SIGNATURE_INVALID' },
  },
  {
    name: 'high-S twin of a valid ES256 signature',
    verifier: (b) => b.requestVerifier({ publicKey: p256.publicKey.export({ type: 'spki', format: 'pem' }), algorithms: ['ES256'] }),
    token: () => mint('ES256 high-S'),
    expected: { code: 'ERR_SIGNATURE_INVALID' },
  },
  { name: 'non-canonical base64url signature', verifier: rsaVerifier, token: async () => nonCanonical(await mint('RS256')), expected: { code: 'ERR_SIGNATURE_INVALID' } },
  { name: 'tampered body', verifier: rsaVerifier, token: () => mint('RS256'), body: TAMPERED, expected: { code: 'ERR_BODY_HASH_MISMATCH' } },
  { name: 'signed by another RSA key', verifier: rsaVerifier, token: () => mint('RS256', { key: otherRsa.privateKey }), expected: { code: 'ERR_SIGNATURE_INVALID' } },
  { name: 'alg confusion: HS256 keyed with the RSA public key', verifier: rsaVerifier, token: () => mint('HS256', { key: rsaPem }), expected: { code: 'ERR_ALGORITHM_NOT_ALLOWED' } },
  { name: 'alg none', verifier: rsaVerifier, token: () => unsigned(), expected: { code: 'ERR_ALGORITHM_NOT_ALLOWED' } },
  { name: 'unknown API key (RSA decoy)', verifier: (b) => b.requestVerifier({ keyForApiKey: () => undefined }), token: () => mint('RS256'), expected: { code: 'ERR_SIGNATURE_INVALID' } },
  { name: 'unknown API key (ES256 decoy)', verifier: (b) => b.requestVerifier({ keyForApiKey: () => undefined, algorithms: ['ES256'] }), token: () => mint('ES256'), expected: { code: 'ERR_SIGNATURE_INVALID' } },
  {
    name: 'HS256 with a wrong secret',
    verifier: (b) => b.portOneVerifier({ clientKey: 'ck-1', secretKey: portOneSecret }),
    token: () => mint('HS256', { key: `${portOneSecret}x` }),
    headers: { 'x-portone-client-key': 'ck-1' },
    expected: { code: 'ERR_SIGNATURE_INVALID' },
  },
];

/** Keys refused when the verifier is made, with the same code on both builds. */
const REFUSED_KEYS: [string, (build: Build) => unknown, string][] = [
  ['garbage PEM', (b) => b.requestVerifier({ publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }), 'ERR_KEY_INVALID'],
  ['a 1024-bit RSA key', (b) => b.requestVerifier({ publicKey: smallRsa.publicKey.export({ type: 'spki', format: 'pem' }) }), 'ERR_KEY_TOO_SMALL'],
  ['a P-384 key for ES256', (b) => b.requestVerifier({ publicKey: p384.publicKey.export({ type: 'spki', format: 'pem' }), algorithms: ['ES256'] }), 'ERR_KEY_TYPE'],
  ['an Ed25519 key for RS256', (b) => b.requestVerifier({ publicKey: ed25519.publicKey.export({ type: 'spki', format: 'pem' }) }), 'ERR_KEY_TYPE'],
  ['a symmetric JWK as public key', (b) => b.requestVerifier({ publicKey: { kty: 'oct', k: 'c2VjcmV0' } }), 'ERR_KEY_TYPE'],
  ['the RSA public key PEM as HMAC secret', (b) => b.portOneVerifier({ clientKey: 'ck-1', secretKey: rsaPem }), 'ERR_KEY_TYPE'],
  ['an empty HMAC secret', (b) => b.portOneVerifier({ clientKey: 'ck-1', secretKey: '' }), 'ERR_INVALID_OPTION'],
];

beforeAll(async () => {
  for (const file of ['index.js', 'web/index.js', 'web/hono.js']) {
    if (!existsSync(join(verifyDist, file))) throw new Error(`packages/verify/dist/${file} is missing: run pnpm build first (these tests load the built bundles).`);
  }
  node = (await import(join(verifyDist, 'index.js'))) as Build;
  web = (await import(join(verifyDist, 'web/index.js'))) as Build;
  const scratch = mkdtempSync(join(tmpdir(), 'signet-cert-'));
  try {
    writeFileSync(join(scratch, 'key.pem'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await run('openssl', ['req', '-x509', '-new', '-key', join(scratch, 'key.pem'), '-subj', '/CN=signet-test', '-days', '1', '-out', join(scratch, 'cert.pem')]);
    certificatePem = readFileSync(join(scratch, 'cert.pem'), 'utf8');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  cryptoKey = await webcrypto.subtle.importKey('spki', rsa.publicKey.export({ type: 'spki', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
});

describe('the web build of @signet/verify', () => {
  it.each(['index.js', 'hono.js'])('dist/web/%s and its chunks import no Node built-in (node:… or bare)', (entry) => {
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(verifyDist, 'web', file), 'utf8');
      const specifiers = [...text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+|require\s*\(\s*)["']([^"']+)["']/g)].map((match) => match[1] as string);
      expect(specifiers.filter((specifier) => builtins.has(specifier) || specifier.startsWith('node:'))).toEqual([]);
      for (const specifier of specifiers) if (specifier.startsWith('./')) visit(specifier.slice(2));
    };
    visit(entry);
    expect(seen.size).toBeGreaterThan(1);
    // What it imports besides its own chunks: @signet/core (resolved by the user's bundler with the same conditions).
    expect(new Set([...seen].flatMap((file) => [...readFileSync(join(verifyDist, 'web', file), 'utf8').matchAll(/from\s*"([^".][^"]*)"/g)].map((m) => m[1])))).toEqual(new Set(['@signet/core']));
  });
});

// Node, Bun and Deno resolve `import` (and their own `node`/`bun`/`deno` conditions), never `worker` or `browser`:
// they keep the node:crypto build, the Express middleware with it. Each is asked which build @signet/verify gives.
describe.each([
  ['Node', process.execPath, []],
  ['Bun', require.resolve('bun/bin/bun.exe'), []],
  ['Deno', process.execPath, [require.resolve('deno/bin.cjs'), 'run', '--allow-read', '--allow-env']],
])('%s resolves @signet/verify', (_runtime, command, args) => {
  it('to the node:crypto build (dist/index.js, with signetMiddleware)', async () => {
    const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    const { stdout } = await run(command, [...args, here('../verify-web/which-build.mjs')], { cwd: here('..'), env, timeout: 60_000 });
    expect(stdout.trim()).toBe('node');
  }, 90_000);
});

describe.each([
  ['node build (dist/index.js)', () => node],
  ['web build (dist/web/index.js)', () => web],
])('%s: one table of cases, minted by jsonwebtoken and jose', (_name, buildOf) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_case, { verifier, token, body = BODY, headers = {}, expected }) => {
    const request = { method: 'POST', url: PATH, headers: { authorization: `Bearer ${await token()}`, ...headers }, body: bytes(body) };
    const outcome = verifier(buildOf()).verify(request);
    if ('code' in expected) await expect(outcome).rejects.toMatchObject({ name: 'SignetError', code: expected.code });
    else await expect(outcome).resolves.toMatchObject(expected);
  });

  it.each(REFUSED_KEYS)('refuses %s when the verifier is made', (_case, make, code) => {
    expect(() => make(buildOf())).toThrow(expect.objectContaining({ name: 'SignetError', code }) as Error);
  });
});

/** A request as the verifiers take it (the bytes of `body`). */
const verifiable = (method: string, url: string, headers: Record<string, string>, body = '') => ({ method, url, headers, body: bytes(body) });
const EXCHANGE_SECRET = 'exchange-secret-0123456789abcdef-0123456789abcdef';
const exchangeSecret = new TextEncoder().encode(EXCHANGE_SECRET);
const sha512Hex = (text: string) => createHash('sha512').update(text).digest('hex');
const p521 = generate('ec', { namedCurve: 'P-521' });

/** An Upbit (or, with `timestamp`, Bithumb) token for GET /v1/orders?market=KRW-BTC, minted by jose (HS256). */
const exchangeToken = (claims: Record<string, unknown> = {}, secret = exchangeSecret) =>
  new SignJWT({ access_key: 'ak-1', nonce: randomUUID(), query_hash: sha512Hex('market=KRW-BTC'), query_hash_alg: 'SHA512', ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);

/** A DPoP proof (RFC 9449) minted by jose, ES256 with its public JWK in the header. */
const dpopProof = async (htm = 'POST') =>
  new SignJWT({ jti: randomUUID(), htm, htu: 'https://api.example.com/v1/pay', iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: p256.publicKey.export({ format: 'jwk' }) })
    .sign(p256.privateKey);

/** A TrueLayer Tl-Signature (detached ES512 JWS over method, path, the Idempotency-Key header and body), by node:crypto. */
function tlSignature(path: string, idempotencyKey: string, body: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES512', kid: 'kid-1', tl_version: '2', tl_headers: 'Idempotency-Key' })).toString('base64url');
  const payload = Buffer.from(`POST ${path}\nIdempotency-Key: ${idempotencyKey}\n${body}`).toString('base64url');
  const signature = sign('sha512', Buffer.from(`${header}.${payload}`), { key: p521.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${header}..${signature.toString('base64url')}`;
}

/** The verifiers the web build gained once core had its own web port: an accept and a refusal each, on both builds. */
const ADDED: [string, (build: Build) => Promise<Record<string, unknown>>, { code: string } | Record<string, unknown>][] = [
  ['dpopVerifier: a jose-minted proof', async (b) => b.dpopVerifier({ origin: 'https://api.example.com' }).verify(verifiable('POST', '/v1/pay', { dpop: await dpopProof() })), { htm: 'POST' }],
  ['dpopVerifier: a proof for another method', async (b) => b.dpopVerifier({ origin: 'https://api.example.com' }).verify(verifiable('POST', '/v1/pay', { dpop: await dpopProof('GET') })), { code: 'ERR_METHOD_MISMATCH' }],
  [
    'upbitVerifier: a jose-minted token with its query hash',
    async (b) => b.upbitVerifier({ accessKey: 'ak-1', secretKey: EXCHANGE_SECRET }).verify(verifiable('GET', '/v1/orders?market=KRW-BTC', { authorization: `Bearer ${await exchangeToken()}` })),
    { access_key: 'ak-1' },
  ],
  [
    'upbitVerifier: the same token for another query',
    async (b) => b.upbitVerifier({ accessKey: 'ak-1', secretKey: EXCHANGE_SECRET }).verify(verifiable('GET', '/v1/orders?market=KRW-ETH', { authorization: `Bearer ${await exchangeToken()}` })),
    { code: 'ERR_URI_MISMATCH' },
  ],
  [
    'bithumbVerifier: a jose-minted token with its timestamp',
    async (b) => b.bithumbVerifier({ accessKey: 'ak-1', secretKey: EXCHANGE_SECRET }).verify(verifiable('GET', '/v1/orders?market=KRW-BTC', { authorization: `Bearer ${await exchangeToken({ timestamp: Date.now() })}` })),
    { access_key: 'ak-1' },
  ],
  [
    'bithumbVerifier: a token signed with another secret',
    async (b) =>
      b
        .bithumbVerifier({ accessKey: 'ak-1', secretKey: EXCHANGE_SECRET })
        .verify(verifiable('GET', '/v1/orders?market=KRW-BTC', { authorization: `Bearer ${await exchangeToken({ timestamp: Date.now() }, new TextEncoder().encode(`${EXCHANGE_SECRET}x`))}` })),
    { code: 'ERR_SIGNATURE_INVALID' },
  ],
  [
    'trueLayerVerifier: a Tl-Signature made by node:crypto',
    async (b) =>
      b
        .trueLayerVerifier({ publicKey: p521.publicKey.export({ type: 'spki', format: 'pem' }) })
        .verify(verifiable('POST', '/payouts', { 'tl-signature': tlSignature('/payouts', 'idem-1', BODY), 'idempotency-key': 'idem-1' }, BODY)),
    { headers: ['Idempotency-Key'] },
  ],
  [
    'trueLayerVerifier: the signature over another body',
    async (b) =>
      b
        .trueLayerVerifier({ publicKey: p521.publicKey.export({ type: 'spki', format: 'pem' }) })
        .verify(verifiable('POST', '/payouts', { 'tl-signature': tlSignature('/payouts', 'idem-1', BODY), 'idempotency-key': 'idem-1' }, TAMPERED)),
    { code: 'ERR_SIGNATURE_INVALID' },
  ],
];

describe.each([
  ['node build', () => node],
  ['web build', () => web],
])('%s: the DPoP, Upbit, Bithumb and TrueLayer verifiers, over tokens jose and node:crypto made', (_name, buildOf) => {
  it.each(ADDED)('%s', async (_case, run, expected) => {
    if ('code' in expected) await expect(run(buildOf())).rejects.toMatchObject({ name: 'SignetError', code: expected.code });
    else await expect(run(buildOf())).resolves.toMatchObject(expected);
  });
});

describe('the web build over web-standard requests, in Node', () => {
  const signed = (token: string, body = BODY) => new Request(`http://merchant.test${PATH}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  it('verifyFetchRequest: resolves to the claims and the verified bytes; a tampered body is 401 ERR_BODY_HASH_MISMATCH', async () => {
    const verifier = web.requestVerifier({ publicKey: rsaPem });
    const { claims, body } = await web.verifyFetchRequest(verifier, signed(await mint('RS256')));
    expect([claims['sub'], claims['uri'], new TextDecoder().decode(body)]).toEqual(['merchant-1', PATH, BODY]);
    const refused = await web.verifyFetchRequest(verifier, signed(await mint('RS256'), TAMPERED)).then(
      () => undefined,
      (error: unknown) => web.refusalResponse(error),
    );
    expect(refused?.status).toBe(401);
    expect(await refused?.json()).toMatchObject({ error: 'ERR_BODY_HASH_MISMATCH' });
  });

  it('signetHono (dist/web/hono.js): the route sees the claims and the body; a malleated token is 401 ERR_SIGNATURE_INVALID, the route never runs', async () => {
    const { signetHono } = (await import(join(verifyDist, 'web/hono.js'))) as { signetHono: (verifier: Verifier) => MiddlewareHandler };
    let routeRuns = 0;
    const app = new Hono().post('/v1/payments', signetHono(web.requestVerifier({ publicKey: p256.publicKey.export({ format: 'jwk' }), algorithms: ['ES256'] })), async (c) => {
      routeRuns += 1;
      // The web bundle's ContextVariableMap augmentation is not in scope here (it augments the sources' `hono`).
      return c.json({ sub: (c.get('signet' as never) as { sub: string }).sub, body: await c.req.json<unknown>() });
    });
    const ok = await app.fetch(signed(await mint('ES256')));
    expect([ok.status, await ok.json()]).toEqual([200, { sub: 'merchant-1', body: JSON.parse(BODY) }]);
    const refused = await app.fetch(signed(malleated(await mint('ES256'))));
    expect([refused.status, await refused.json(), routeRuns]).toEqual([401, expect.objectContaining({ error: 'ERR_SIGNATURE_INVALID' }), 1]);
  });
});

describe('workerd without nodejs_compat: a Worker bundled from the published entry points (verify-web/worker.mjs)', () => {
  let mf: Miniflare | undefined;
  beforeAll(async () => {
    // No externals: a Node built-in anything in the bundle imports (verify's or core's) fails the build here.
    const script = await bundleWorker(here('../verify-web/worker.mjs'), here('..'), { nodeCompat: false });
    mf = new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2026-04-01',
      compatibilityFlags: [],
      bindings: {
        RSA_PUBLIC_PEM: rsaPem,
        EC_PUBLIC_JWK: JSON.stringify(p256.publicKey.export({ format: 'jwk' })),
        ED_PUBLIC_DER_BASE64: ed25519.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        PORTONE_SECRET: portOneSecret,
      },
    });
  }, 120_000);
  afterAll(() => mf?.dispose());

  /** POSTs to the Worker at /<mode>/<verifier> + PATH, with a token minted for that very target. */
  async function send(mode: string, verifier: string, token: (uri: string) => Promise<string>, body = BODY, headers: Record<string, string> = {}) {
    if (mf === undefined) throw new Error('the Worker did not start (see beforeAll)');
    const target = `/${mode}/${verifier}${PATH}`;
    const response = await mf.dispatchFetch(`http://merchant.test${target}`, { method: 'POST', headers: { authorization: `Bearer ${await token(target)}`, ...headers }, body });
    return [response.status, await response.json()];
  }

  const portOneHeaders = { 'x-portone-client-key': 'ck-1' };
  const VALID: [string, (uri: string) => Promise<string>, string, Record<string, string>?][] = [
    ['rs256', (uri) => mint('RS256', { uri }), 'merchant-1'],
    ['ps256', (uri) => mint('PS256', { uri }), 'merchant-1'],
    ['es256', (uri) => mint('ES256', { uri }), 'merchant-1'],
    ['eddsa', (uri) => mint('EdDSA', { uri }), 'merchant-1'],
    ['apikey', (uri) => mint('RS256', { uri }), 'merchant-1'],
    ['portone', () => mint('HS256'), 'ck-1', portOneHeaders],
  ];
  const REFUSED: [string, string, (uri: string) => Promise<string>, string, string?][] = [
    ['tampered body', 'rs256', (uri) => mint('RS256', { uri }), 'ERR_BODY_HASH_MISMATCH', TAMPERED],
    ['malleated signature', 'rs256', async (uri) => malleated(await mint('RS256', { uri })), 'ERR_SIGNATURE_INVALID'],
    ['high-S ECDSA', 'es256', (uri) => mint('ES256 high-S', { uri }), 'ERR_SIGNATURE_INVALID'],
    ['malleated EdDSA signature', 'eddsa', async (uri) => malleated(await mint('EdDSA', { uri })), 'ERR_SIGNATURE_INVALID'],
    ['alg confusion (HS256 keyed with the RSA public key)', 'rs256', () => mint('HS256', { key: rsaPem }), 'ERR_ALGORITHM_NOT_ALLOWED'],
    ['alg none', 'rs256', async (uri) => unsigned({ uri }), 'ERR_ALGORITHM_NOT_ALLOWED'],
    ['unknown API key (decoy)', 'apikey', (uri) => mint('RS256', { uri, sub: 'merchant-2' }), 'ERR_SIGNATURE_INVALID'],
    ['unknown API key, ES256 (EC decoy)', 'apikey', (uri) => mint('ES256', { uri, sub: 'merchant-2' }), 'ERR_SIGNATURE_INVALID'],
    ['signed for another target', 'rs256', () => mint('RS256'), 'ERR_URI_MISMATCH'],
  ];

  for (const mode of ['fetch', 'hono']) {
    it.each(VALID)(`${mode}: %s, a valid request is 200 with the verified claims and body echoed`, async (verifier, token, sub, headers) => {
      expect(await send(mode, verifier, token, BODY, headers)).toEqual([200, { claims: expect.objectContaining({ sub }) as unknown, body: BODY }]);
    });
    it.each(REFUSED)(`${mode}: %s is 401 with its code`, async (_case, verifier, token, code, body) => {
      expect(await send(mode, verifier, token, body)).toEqual([401, expect.objectContaining({ error: code }) as unknown]);
    });
  }
});
