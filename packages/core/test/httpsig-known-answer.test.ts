import { execFileSync } from 'node:child_process';
import { constants, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type HttpMessageSignerOptions, httpMessageSigner } from '@signet/core';
import { verifyBase } from '../src/schemes/http-message-signatures/verify-base.js';
import { parseComponentId } from '../src/schemes/http-message-signatures/components.js';
import { signatureBase } from '../src/schemes/http-message-signatures/signature-base.js';
import { parseDictionary } from '../src/schemes/http-message-signatures/structured-field.js';

// RFC 9421 Appendix B.2: the test keys and vectors are the RFC's own text (extracted into __fixtures__/rfc9421 from
// the RFC's source, RFC 8792 line wrapping undone). Signet must rebuild each signature base byte for byte: proven by
// the RFC's deterministic signatures (hmac-sha256, ed25519) coming out identical, and, for RSA-PSS, by Signet's
// signatures verifying with node:crypto over the RFC's printed base.

const FIXTURES = fileURLToPath(new URL('./__fixtures__/rfc9421/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
interface Vector {
  algorithm: string;
  key: string;
  base: string;
  signatureInput: string;
  signature: string;
}
const vectors = JSON.parse(fixture('appendix-b2.json')) as Record<string, Vector>;
const vector = (label: string): Vector => vectors[label] as Vector;
const secret = Buffer.from(fixture('test-shared-secret.b64').trim(), 'base64');
const CREATED_MS = 1_618_884_473_000;

/** The RFC's `test-request`, as an adapter hands it to a signer. */
const testRequest = {
  method: 'POST',
  url: '/foo?param=Value&Pet=dog',
  origin: 'https://example.com',
  body: Buffer.from('{"hello": "world"}'),
  headers: { Host: 'example.com', Date: 'Tue, 20 Apr 2021 02:07:55 GMT', 'Content-Type': 'application/json' },
};

/** Signs `test-request` as the RFC's vector `label` did: its components, parameters, key and label. */
async function signLikeRfc(label: string, extra: Partial<HttpMessageSignerOptions> = {}): Promise<Record<string, string>> {
  const v = vector(label);
  const covered = /^[^=]+=\((.*)\)/.exec(v.signatureInput)?.[1] ?? '';
  const components = covered === '' ? [] : (covered.match(/"[^"]+"(;[a-z]+(="[^"]*")?)*/g) ?? []);
  const signer = httpMessageSigner({
    algorithm: v.algorithm as HttpMessageSignerOptions['algorithm'],
    key: v.key === 'test-shared-secret' ? secret : fixture(`${v.key}.pem`),
    keyId: v.key,
    label,
    components,
    contentDigest: 'sha-512',
    clock: () => CREATED_MS,
    ...extra,
  });
  return signer.sign(testRequest);
}

const signatureBytes = (field: string): Buffer => Buffer.from(/=:([^:]*):$/.exec(field)?.[1] ?? '', 'base64');

describe('RFC 9421 Appendix B.2 known answers, signed by httpMessageSigner', () => {
  it("B.2.1 minimal signature (rsa-pss-sha512): the RFC's Signature-Input, and a signature over the RFC's base with a 64-byte salt", async () => {
    const headers = await signLikeRfc('sig-b21', { nonce: () => 'b3k2pp5k7z-50gnwp.yemd' });
    expect(headers['Signature-Input']).toBe(vector('sig-b21').signatureInput);
    const publicKey = fixture('test-key-rsa-pss.pub.pem');
    const sig = signatureBytes(headers['Signature'] as string);
    expect(verify('sha512', Buffer.from(vector('sig-b21').base), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, sig)).toBe(true);
    // The salt is 64 bytes (RFC 9421 §3.3.1), not the maximum: a verifier pinned to the maximum refuses it.
    expect(verify('sha512', Buffer.from(vector('sig-b21').base), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 190 }, sig)).toBe(false);
  });

  for (const label of ['sig-b22', 'sig-b23']) {
    it(`${label === 'sig-b22' ? 'B.2.2 selective components with a tag' : 'B.2.3 full coverage'} (rsa-pss-sha512): the RFC's Signature-Input and base`, async () => {
      const headers = await signLikeRfc(label, label === 'sig-b22' ? { tag: 'header-example' } : {});
      expect(headers['Signature-Input']).toBe(vector(label).signatureInput);
      expect(headers['Content-Digest']).toBe('sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:');
      const ok = verify('sha512', Buffer.from(vector(label).base), { key: fixture('test-key-rsa-pss.pub.pem'), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, signatureBytes(headers['Signature'] as string));
      expect(ok).toBe(true);
    });
  }

  it("B.2.5 hmac-sha256: the RFC's signature, exactly", async () => {
    const headers = await signLikeRfc('sig-b25');
    expect(headers['Signature-Input']).toBe(vector('sig-b25').signatureInput);
    expect(headers['Signature']).toBe(vector('sig-b25').signature);
  });

  it("B.2.6 ed25519: the RFC's signature, exactly", async () => {
    const headers = await signLikeRfc('sig-b26');
    expect(headers['Signature-Input']).toBe(vector('sig-b26').signatureInput);
    expect(headers['Signature']).toBe(vector('sig-b26').signature);
  });

  it("B.2.4 (a response, ecdsa-p256-sha256): the signature base of the RFC, and the RFC's signature verifies over it", () => {
    const v = vector('sig-b24');
    const member = parseDictionary(v.signatureInput)[0]?.[1];
    if (member === undefined || !('items' in member)) throw new Error('fixture');
    const components = member.items.map((item) => ({ name: item.value as string, params: item.params }));
    const paramsValue = v.signatureInput.slice(v.signatureInput.indexOf('=') + 1);
    const fields = new Map([
      ['content-type', ['application/json']],
      ['content-digest', ['sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:']],
      ['content-length', ['23']],
    ]);
    const base = signatureBase(components, paramsValue, { status: 200, fields });
    expect(base).toBe(v.base);
    const key = createPublicKey(fixture('test-key-ecc-p256.pub.pem'));
    expect(verifyBase('ecdsa-p256-sha256', key, base, signatureBytes(v.signature))).toBe(true);
    expect(verify('sha256', Buffer.from(base), { key, dsaEncoding: 'ieee-p1363' }, signatureBytes(v.signature))).toBe(true);
  });
});

describe("rsa-v1_5-sha256 (no vector in RFC 9421): the RFC test-key-rsa signature equals openssl's over the same base", () => {
  it("B.2.6's components signed with test-key-rsa: the same bytes as `openssl dgst -sha256 -sign`", async () => {
    const headers = await httpMessageSigner({
      algorithm: 'rsa-v1_5-sha256',
      key: fixture('test-key-rsa.pem'),
      keyId: 'test-key-rsa',
      components: ['date', '@method', '@path', '@authority', 'content-type', 'content-length'],
      clock: () => CREATED_MS,
    }).sign(testRequest);
    // The base, written out here by hand from RFC 9421 §2.5 (B.2.6's lines with this key's parameters).
    const base = [
      '"date": Tue, 20 Apr 2021 02:07:55 GMT',
      '"@method": POST',
      '"@path": /foo',
      '"@authority": example.com',
      '"content-type": application/json',
      '"content-length": 18',
      '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-rsa"',
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'signet-rsa-'));
    try {
      writeFileSync(join(dir, 'base'), base);
      const expected = execFileSync('openssl', ['dgst', '-sha256', '-sign', join(FIXTURES, 'test-key-rsa.pem'), join(dir, 'base')]);
      expect(headers['Signature']).toBe(`sig1=:${expected.toString('base64')}:`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('RFC 9530 Content-Digest examples, as the signer sends them', () => {
  const digestOf = async (body: string, contentDigest: 'sha-256' | 'sha-512'): Promise<string | undefined> => {
    const signer = httpMessageSigner({ algorithm: 'hmac-sha256', key: secret, keyId: 'k', components: ['content-digest'], contentDigest, clock: () => CREATED_MS });
    return (await signer.sign({ method: 'POST', url: '/items/123', body: Buffer.from(body) }))['Content-Digest'];
  };

  it('§2 and B.1: {"hello": "world"} and LF in sha-256 and sha-512', async () => {
    expect(await digestOf('{"hello": "world"}\n', 'sha-256')).toBe('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:');
    expect(await digestOf('{"hello": "world"}\n', 'sha-512')).toBe('sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:');
  });

  it('B.2: empty content; B.3: partial content "world"} and LF', async () => {
    expect(await digestOf('', 'sha-256')).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
    expect(await digestOf('"world"}\n', 'sha-256')).toBe('sha-256=:jjcgBDWNAtbYUXI37CVG3gRuGOAjaaDRGpIUFsdyepQ=:');
  });
});

describe('RFC 9421 §2.1 and §2.2 component examples', () => {
  const base = (component: string, target: string, fields: Record<string, string[]> = {}): string =>
    signatureBase([parseComponentId(component)], '()', {
      method: 'GET',
      scheme: 'https',
      authority: 'www.example.com',
      target,
      fields: new Map(Object.entries(fields)),
      structuredFields: { 'example-dict': 'dictionary' },
    }).split('\n')[0] as string;

  it('§2.2.8 query parameters are re-encoded (newline, plus, non-ASCII names)', () => {
    const target = '/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something';
    expect(base('@query-param;name="var"', target)).toBe('"@query-param";name="var": this%20is%20a%20big%0Amultiline%20value');
    expect(base('@query-param;name="bar"', target)).toBe('"@query-param";name="bar": with%20plus%20whitespace');
    expect(base('@query-param;name="fa%C3%A7ade%22%3A%20"', target)).toBe('"@query-param";name="fa%C3%A7ade%22%3A%20": something');
    expect(base('@query-param;name="qux"', '/path?param=value&foo=bar&baz=batman&qux=')).toBe('"@query-param";name="qux": ');
  });

  it('§2.2 derived components of https://www.example.com/path?param=value', () => {
    expect(base('@target-uri', '/path?param=value')).toBe('"@target-uri": https://www.example.com/path?param=value');
    expect(base('@scheme', '/path')).toBe('"@scheme": https');
    expect(base('@request-target', '/path?param=value')).toBe('"@request-target": /path?param=value');
    expect(base('@query', '/path')).toBe('"@query": ?');
    expect(base('@query', '/path?queryString')).toBe('"@query": ?queryString');
  });

  it('§2.1 field values: whitespace, obs-fold, combined lines, ;sf, ;key, ;bs', () => {
    expect(base('x-ows-header', '/', { 'x-ows-header': ['   Leading and trailing whitespace.   '] })).toBe('"x-ows-header": Leading and trailing whitespace.');
    expect(base('x-obs-fold-header', '/', { 'x-obs-fold-header': ['Obsolete\r\n    line folding.'] })).toBe('"x-obs-fold-header": Obsolete line folding.');
    expect(base('cache-control', '/', { 'cache-control': ['max-age=60', '   must-revalidate'] })).toBe('"cache-control": max-age=60, must-revalidate');
    const dict = { 'example-dict': [' a=1,    b=2;x=1;y=2,   c=(a   b   c)'] };
    expect(base('example-dict', '/', dict)).toBe('"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)');
    expect(base('example-dict;sf', '/', dict)).toBe('"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)');
    const dict2 = { 'example-dict': [' a=1, b=2;x=1;y=2, c=(a   b    c), d'] };
    expect(base('example-dict;key="a"', '/', dict2)).toBe('"example-dict";key="a": 1');
    expect(base('example-dict;key="d"', '/', dict2)).toBe('"example-dict";key="d": ?1');
    expect(base('example-dict;key="b"', '/', dict2)).toBe('"example-dict";key="b": 2;x=1;y=2');
    expect(base('example-dict;key="c"', '/', dict2)).toBe('"example-dict";key="c": (a b c)');
    expect(base('example-header;bs', '/', { 'example-header': ['value, with, lots', 'of, commas'] })).toBe('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:');
    expect(base('example-header;bs', '/', { 'example-header': ['value, with, lots, of, commas'] })).toBe('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:');
    expect(base('x-empty-header', '/', { 'x-empty-header': [''] })).toBe('"x-empty-header": ');
  });
});
