import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { SignetError, type SignetErrorCode } from '@signet/core';
import { type VerifiableRequest, type Verifier, portOneVerifier, requestVerifier, twoCheckoutVerifier } from '@signet/verify';
import { testKeys } from '@signet/test-support';
import { NOW, b64u, clockAt, expectRejected, expectRejectedWithOneOf, highS, lowS, mint, mulberry32, outcomeOf, requestClaims, requestWith, segmentsOf, signBytes, signSegments } from './support/tokens.js';

const rsa = testKeys().rsa;
const ec256 = testKeys().p256;
const clock = clockAt(NOW);
const verifier = requestVerifier({ publicKey: rsa.publicKey, clock });
const esVerifier = requestVerifier({ publicKey: ec256.publicKey, clock, algorithms: ['ES256'] });

const CLIENT_KEY = 'SglffyyZgojEdXWL';
const PORTONE_SECRET = 'portone-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const portOne = portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock });
const portOneClaims = { iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW, exp: NOW + 100 };
const portOneRequest = (token: string): VerifiableRequest => ({
  method: 'GET',
  url: '/api/transaction/x/status',
  headers: { authorization: `Bearer ${token}`, 'x-portone-client-key': CLIENT_KEY },
  body: new Uint8Array(0),
});

/** Encoding faults are refused as malformed or as a bad signature, never accepted and never with another error. */
const ENCODING_CODES: SignetErrorCode[] = ['ERR_JWT_MALFORMED', 'ERR_SIGNATURE_INVALID'];
const HEADER = { alg: 'RS256', typ: 'JWT' };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The first `make(i)` whose standard base64 satisfies `test`: to find JSON that encodes with padding, '+' or '/'. */
function findJson(make: (i: number) => object, test: (standard: string) => boolean): object {
  for (let i = 0; i < 200; i++) if (test(Buffer.from(JSON.stringify(make(i))).toString('base64'))) return make(i);
  throw new Error('no variant found');
}

const padded = (value: object): string =>
  Buffer.from(JSON.stringify(value))
    .toString('base64url')
    .padEnd(Math.ceil(b64u(value).length / 4) * 4, '=');
const standard = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64').replace(/=+$/, '');
const needsPadding = (s: string): boolean => s.endsWith('=');
const hasPlusOrSlash = (s: string): boolean => /[+/]/.test(s.replace(/=+$/, ''));

/** The same base64url segment with non-zero trailing bits in its last character: it decodes to the same bytes. */
function withTrailingBits(segment: string): string {
  const last = segment.at(-1) as string;
  const changed = `${segment.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(last) | 1] as string}`;
  // Precondition: a lenient decoder sees the very same bytes, so only a canonical-encoding check can refuse it.
  expect(changed).not.toBe(segment);
  expect(Buffer.from(changed, 'base64url').equals(Buffer.from(segment, 'base64url'))).toBe(true);
  return changed;
}

describe('non-canonical base64url in a validly signed token', () => {
  it('a header segment with "=" padding is refused', async () => {
    const header = findJson((i) => ({ ...HEADER, kid: 'k'.repeat(i) }), needsPadding);
    const token = signSegments('RS256', rsa.privateKey, padded(header), b64u(requestClaims()));
    expect(segmentsOf(token)[0]).toMatch(/=$/);
    await expectRejectedWithOneOf(verifier, requestWith(token), ENCODING_CODES);
  });

  it('a payload segment with "=" padding is refused', async () => {
    const claims = findJson((i) => requestClaims({ nonce: 'n'.repeat(i) }), needsPadding);
    const token = signSegments('RS256', rsa.privateKey, b64u(HEADER), padded(claims));
    expect(segmentsOf(token)[1]).toMatch(/=$/);
    await expectRejectedWithOneOf(verifier, requestWith(token), ENCODING_CODES);
  });

  it('a header segment in standard base64 ("+" or "/") is refused', async () => {
    const header = findJson((i) => ({ ...HEADER, kid: `>>>???${'k'.repeat(i)}` }), hasPlusOrSlash);
    const token = signSegments('RS256', rsa.privateKey, standard(header), b64u(requestClaims()));
    expect(segmentsOf(token)[0]).toMatch(/[+/]/);
    await expectRejectedWithOneOf(verifier, requestWith(token), ENCODING_CODES);
  });

  it('a payload segment in standard base64 ("+" or "/") is refused', async () => {
    const claims = findJson((i) => requestClaims({ nonce: `>>>???${'n'.repeat(i)}` }), hasPlusOrSlash);
    const token = signSegments('RS256', rsa.privateKey, b64u(HEADER), standard(claims));
    expect(segmentsOf(token)[1]).toMatch(/[+/]/);
    await expectRejectedWithOneOf(verifier, requestWith(token), ENCODING_CODES);
  });

  it('header and payload segments with non-zero trailing bits are refused', async () => {
    const header = findJson((i) => ({ ...HEADER, kid: 'k'.repeat(i) }), needsPadding);
    const claims = findJson((i) => requestClaims({ nonce: 'n'.repeat(i) }), needsPadding);
    const badHeader = signSegments('RS256', rsa.privateKey, withTrailingBits(b64u(header)), b64u(claims));
    const badPayload = signSegments('RS256', rsa.privateKey, b64u(header), withTrailingBits(b64u(claims)));
    await expectRejectedWithOneOf(verifier, requestWith(badHeader), ENCODING_CODES);
    await expectRejectedWithOneOf(verifier, requestWith(badPayload), ENCODING_CODES);
  });

  it('an RS256 signature with "=" padding or in standard base64 is refused', async () => {
    let token = mint('RS256', rsa.privateKey, requestClaims());
    for (let i = 0; !/[-_]/.test(segmentsOf(token)[2]); i++) token = mint('RS256', rsa.privateKey, requestClaims({ nonce: String(i) }));
    const [header, payload, signature] = segmentsOf(token);
    expect((await verifier.verify(requestWith(token))).sub).toBeDefined();
    const bytes = Buffer.from(signature, 'base64url');
    await expectRejectedWithOneOf(verifier, requestWith(`${header}.${payload}.${signature}==`), ENCODING_CODES);
    await expectRejectedWithOneOf(verifier, requestWith(`${header}.${payload}.${bytes.toString('base64').replace(/=+$/, '')}`), ENCODING_CODES);
    await expectRejectedWithOneOf(verifier, requestWith(`${header}.${payload}.${bytes.toString('base64')}`), ENCODING_CODES);
  });

  it('an RS256 signature whose last character has non-zero trailing bits is refused', async () => {
    const [header, payload, signature] = segmentsOf(mint('RS256', rsa.privateKey, requestClaims()));
    await expectRejectedWithOneOf(verifier, requestWith(`${header}.${payload}.${withTrailingBits(signature)}`), ENCODING_CODES);
  });

  it('an ES256 signature whose last character has non-zero trailing bits is refused', async () => {
    // node:crypto signs high-S half the time; only the low-S spelling is accepted.
    const token = lowS(mint('ES256', ec256.privateKey, requestClaims()));
    expect((await esVerifier.verify(requestWith(token))).sub).toBeDefined();
    const [header, payload, signature] = segmentsOf(token);
    await expectRejectedWithOneOf(esVerifier, requestWith(`${header}.${payload}.${withTrailingBits(signature)}`), ENCODING_CODES);
  });

  it('an HS256 signature whose last character has non-zero trailing bits is refused', async () => {
    const token = mint('HS256', PORTONE_SECRET, portOneClaims);
    expect((await portOne.verify(portOneRequest(token))).sub).toBe(CLIENT_KEY);
    const [header, payload, signature] = segmentsOf(token);
    await expectRejectedWithOneOf(portOne, portOneRequest(`${header}.${payload}.${withTrailingBits(signature)}`), ENCODING_CODES);
  });

  it('a segment holding a character outside base64url is refused', async () => {
    const [header, payload, signature] = segmentsOf(mint('RS256', rsa.privateKey, requestClaims()));
    for (const token of [`${header}*.${payload}.${signature}`, `${header}.${payload}~.${signature}`, `${header}.${payload}.${signature}!`]) {
      await expectRejectedWithOneOf(verifier, requestWith(token), ENCODING_CODES);
    }
  });
});

describe('the compact structure', () => {
  const token = mint('RS256', rsa.privateKey, requestClaims());
  const [header, payload, signature] = segmentsOf(token);

  it.each([
    ['2 segments', () => `${header}.${payload}`],
    ['4 segments', () => `${token}.${signature}`],
    ['4 segments, the last empty', () => `${token}.`],
    ['1 segment', () => header],
    ['an empty header segment', () => `.${payload}.${signature}`],
    ['an empty payload segment', () => `${header}..${signature}`],
    ['only dots', () => '..'],
  ])('%s is refused', async (_name, make) => {
    await expectRejectedWithOneOf(verifier, requestWith(make()), ENCODING_CODES);
  });

  it('a validly signed token of at most 8192 characters is accepted; one over 8192 is refused', async () => {
    const lengthFor = (n: number): number => `${b64u(HEADER)}.${b64u(requestClaims({ pad: 'x'.repeat(n) }))}.`.length + signature.length;
    let n = 5000;
    expect(lengthFor(n)).toBeLessThan(8192);
    while (lengthFor(n + 1) <= 8192) n += 1;
    const fits = mint('RS256', rsa.privateKey, requestClaims({ pad: 'x'.repeat(n) }));
    const over = mint('RS256', rsa.privateKey, requestClaims({ pad: 'x'.repeat(n + 1) }));
    expect(fits.length).toBeLessThanOrEqual(8192);
    expect(fits.length).toBeGreaterThan(8180);
    expect(over.length).toBeGreaterThan(8192);
    expect((await verifier.verify(requestWith(fits))).pad).toHaveLength(n);
    await expectRejectedWithOneOf(verifier, requestWith(over), ENCODING_CODES);
    await expectRejectedWithOneOf(verifier, requestWith(mint('RS256', rsa.privateKey, requestClaims({ pad: 'x'.repeat(100_000) }))), ENCODING_CODES);
  });

  it.each([
    ['a JSON array', '[1,2,3]'],
    ['null', 'null'],
    ['a JSON string', '"claims"'],
    ['a number', '1700000000'],
    ['not JSON', 'uri=/v1/payments'],
  ])('a validly signed payload that is %s is ERR_JWT_MALFORMED', async (_name, json) => {
    await expectRejected(verifier, requestWith(mint('RS256', rsa.privateKey, json)), 'ERR_JWT_MALFORMED');
  });

  it('a validly signed payload that is not UTF-8 is ERR_JWT_MALFORMED', async () => {
    const bytes = Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    await expectRejected(verifier, requestWith(signSegments('RS256', rsa.privateKey, b64u(HEADER), b64u(bytes))), 'ERR_JWT_MALFORMED');
  });

  it('a header that is a JSON array is ERR_JWT_MALFORMED', async () => {
    await expectRejected(verifier, requestWith(signSegments('RS256', rsa.privateKey, b64u('["RS256"]'), b64u(requestClaims()))), 'ERR_JWT_MALFORMED');
  });
});

describe('signatures of the wrong length or form', () => {
  const hsToken = mint('HS256', PORTONE_SECRET, portOneClaims);
  const [hsHeader, hsPayload, hsSignature] = segmentsOf(hsToken);
  const hsBytes = Buffer.from(hsSignature, 'base64url');

  it.each([
    ['truncated by one byte', () => hsBytes.subarray(0, 31)],
    ['a single byte', () => hsBytes.subarray(0, 1)],
    ['one byte too long', () => Buffer.concat([hsBytes, Buffer.from([0])])],
    ['doubled', () => Buffer.concat([hsBytes, hsBytes])],
    ['an HS512-sized MAC', () => Buffer.alloc(64, 7)],
    ['zeros of the right length', () => Buffer.alloc(32)],
  ])('an HMAC signature %s is ERR_SIGNATURE_INVALID, without any other error', async (_name, bytes) => {
    await expectRejected(portOne, portOneRequest(`${hsHeader}.${hsPayload}.${bytes().toString('base64url')}`), 'ERR_SIGNATURE_INVALID');
  });

  it('an empty HMAC signature is ERR_SIGNATURE_INVALID', async () => {
    await expectRejected(portOne, portOneRequest(`${hsHeader}.${hsPayload}.`), 'ERR_SIGNATURE_INVALID');
  });

  it('a 2Checkout HS512 token carrying a 32-byte MAC is ERR_SIGNATURE_INVALID', async () => {
    const secretWord = 'buy-link-secret-word-with-enough-entropy';
    const twoCheckout = twoCheckoutVerifier({ merchantCode: 'M1', secretWord, clock });
    const header = b64u({ alg: 'HS512', typ: 'JWT' });
    const payload = b64u({ sub: 'M1', iat: NOW });
    const truncated = signBytes('HS512', secretWord, `${header}.${payload}`).subarray(0, 32);
    const request = (token: string): VerifiableRequest => ({ method: 'POST', url: '/', headers: { 'merchant-token': token }, body: new Uint8Array(0) });
    expect((await twoCheckout.verify(request(signSegments('HS512', secretWord, header, payload)))).sub).toBe('M1');
    await expectRejected(twoCheckout, request(`${header}.${payload}.${truncated.toString('base64url')}`), 'ERR_SIGNATURE_INVALID');
  });

  it('an ES256 signature in DER form instead of raw r||s is ERR_SIGNATURE_INVALID', async () => {
    const header = b64u({ alg: 'ES256', typ: 'JWT' });
    const payload = b64u(requestClaims());
    const der = signBytes('ES256', ec256.privateKey, `${header}.${payload}`, { der: true });
    expect(der[0]).toBe(0x30);
    const raw = signSegments('ES256', ec256.privateKey, header, payload);
    expect((await esVerifier.verify(requestWith(lowS(raw)))).sub).toBeDefined();
    await expectRejected(esVerifier, requestWith(`${header}.${payload}.${der.toString('base64url')}`), 'ERR_SIGNATURE_INVALID');
  });

  it('an ES256 signature with s in the high half (the valid twin (r, n - s)) is ERR_SIGNATURE_INVALID', async () => {
    const token = mint('ES256', ec256.privateKey, requestClaims());
    expect((await esVerifier.verify(requestWith(lowS(token)))).sub).toBeDefined();
    await expectRejected(esVerifier, requestWith(highS(token)), 'ERR_SIGNATURE_INVALID');
  });

  it('an ES256 signature one byte short or long is ERR_SIGNATURE_INVALID', async () => {
    const [header, payload, signature] = segmentsOf(mint('ES256', ec256.privateKey, requestClaims()));
    const raw = Buffer.from(signature, 'base64url');
    for (const bytes of [raw.subarray(0, 63), Buffer.concat([raw, Buffer.from([1])]), Buffer.concat([Buffer.from([0]), raw])]) {
      await expectRejected(esVerifier, requestWith(`${header}.${payload}.${bytes.toString('base64url')}`), 'ERR_SIGNATURE_INVALID');
    }
  });

  it('an RS256 signature one byte short or long is ERR_SIGNATURE_INVALID', async () => {
    const [header, payload, signature] = segmentsOf(mint('RS256', rsa.privateKey, requestClaims()));
    const raw = Buffer.from(signature, 'base64url');
    for (const bytes of [raw.subarray(1), Buffer.concat([Buffer.from([0]), raw]), Buffer.alloc(0)]) {
      await expectRejected(verifier, requestWith(`${header}.${payload}.${bytes.toString('base64url')}`), 'ERR_SIGNATURE_INVALID');
    }
  });
});

describe('seeded fuzz: single-character mutations of a valid token', () => {
  /** Everything verify may say about a mutated token: structural and signature errors, never a claim-level verdict. */
  const PRE_CLAIM_CODES: SignetErrorCode[] = ['ERR_TOKEN_MISSING', 'ERR_JWT_MALFORMED', 'ERR_ALGORITHM_NOT_ALLOWED', 'ERR_TOKEN_TYPE', 'ERR_TOKEN_CRIT', 'ERR_SIGNATURE_INVALID'];

  function mutate(token: string, random: () => number): string {
    const position = Math.floor(random() * token.length);
    const printable = String.fromCharCode(0x20 + Math.floor(random() * 95));
    const char = random() < 0.6 ? (ALPHABET[Math.floor(random() * 64)] as string) : random() < 0.5 ? '.' : printable;
    const operation = random();
    if (operation < 0.7) return token.slice(0, position) + char + token.slice(position + 1);
    if (operation < 0.85) return token.slice(0, position) + char + token.slice(position);
    return token.slice(0, position) + token.slice(position + 1);
  }

  async function fuzz(target: Verifier, token: string, request: (token: string) => VerifiableRequest, seed: number): Promise<Map<string, number>> {
    const random = mulberry32(seed);
    const codes = new Map<string, number>();
    let mutated = 0;
    while (mutated < 1000) {
      const candidate = mutate(token, random);
      if (candidate === token) continue;
      mutated += 1;
      const outcome = await outcomeOf(target, request(candidate));
      if (outcome.resolved) expect.fail(`a mutated token verified: ${candidate}`);
      if (!(outcome.error instanceof SignetError)) expect.fail(`a mutated token raised ${String(outcome.error)}: ${candidate}`);
      codes.set(outcome.error.code, (codes.get(outcome.error.code) ?? 0) + 1);
    }
    return codes;
  }

  it('1,000 mutations of an RS256 request token are all refused with a SignetError before any claim is judged', async () => {
    const token = mint('RS256', rsa.privateKey, requestClaims());
    expect((await verifier.verify(requestWith(token))).sub).toBeDefined();
    const codes = await fuzz(verifier, token, (candidate) => requestWith(candidate), 0x5eed);
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    for (const code of codes.keys()) expect(PRE_CLAIM_CODES).toContain(code);
    expect(codes.get('ERR_SIGNATURE_INVALID')).toBeGreaterThan(0);
    expect(codes.get('ERR_JWT_MALFORMED')).toBeGreaterThan(0);
  });

  it('1,000 mutations of a PortOne HS256 token are all refused with a SignetError before any claim is judged', async () => {
    const token = mint('HS256', PORTONE_SECRET, portOneClaims);
    expect((await portOne.verify(portOneRequest(token))).sub).toBe(CLIENT_KEY);
    const codes = await fuzz(portOne, token, portOneRequest, 20_240_601);
    for (const code of codes.keys()) expect(PRE_CLAIM_CODES).toContain(code);
    expect(codes.get('ERR_SIGNATURE_INVALID')).toBeGreaterThan(0);
  });
});
