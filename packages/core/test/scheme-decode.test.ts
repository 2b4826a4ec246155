import { Buffer } from 'node:buffer';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { SignetError, decodeJwt } from '@signet/core';

// Seed 000's known answer (reference README and document 000): HS256, secret my_super_secret_key.
const SEED_000 = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxMjMsInJvbGUiOiJhZG1pbiJ9.xiQIIxG93IoH5fEuP9BtFeqvJTGI9-XKcnVm0mrJsVc';
// Document 000's decoding example: header and payload only.
const SEED_000_UNSIGNED = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOjEsInJvbGUiOiJhZG1pbiJ9';
// Document 001's sample curl request (PortOne), with an older account's issuer.
const PORTONE_SAMPLE = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjI2NDk3NjU5MDEsImlhdCI6MTY0OTc2NTkwMSwiaXNzIjoiQ0hBSVBBWSIsInN1YiI6Ik5QU2taWlllZkd5S3ZCeGkifQ.VHicuV4dvfp8skktlcRVJNS_WwsD_MtKB4JLBbLWOcQ';

const HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
const PAYLOAD = 'eyJ1c2VyX2lkIjoxMjMsInJvbGUiOiJhZG1pbiJ9';
const SIGNATURE = 'xiQIIxG93IoH5fEuP9BtFeqvJTGI9-XKcnVm0mrJsVc';

const b64url = (text: string | Buffer): string => Buffer.from(text).toString('base64url');
const b64 = (text: string): string => Buffer.from(text).toString('base64');

function malformed(input: unknown): SignetError {
  let caught: unknown;
  try {
    decodeJwt(input as string);
  } catch (error) {
    caught = error;
  }
  expect(caught, `decodeJwt(${JSON.stringify(input)}) should throw`).toBeInstanceOf(SignetError);
  expect((caught as SignetError).code).toBe('ERR_JWT_MALFORMED');
  return caught as SignetError;
}

describe('decodeJwt reads header and payload', () => {
  it("decodes seed 000's token to its header, payload and signature segment", () => {
    expect(decodeJwt(SEED_000)).toStrictEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { user_id: 123, role: 'admin' },
      signature: SIGNATURE,
    });
  });

  it("decodes document 000's unsigned header.payload with an empty signature", () => {
    expect(decodeJwt(SEED_000_UNSIGNED)).toStrictEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { userId: 1, role: 'admin' },
      signature: '',
    });
  });

  it("decodes PortOne's sample token from document 001", () => {
    expect(decodeJwt(PORTONE_SAMPLE)).toStrictEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { exp: 2649765901, iat: 1649765901, iss: 'CHAIPAY', sub: 'NPSkZZYefGyKvBxi' },
      signature: 'VHicuV4dvfp8skktlcRVJNS_WwsD_MtKB4JLBbLWOcQ',
    });
  });

  it('decodes what jsonwebtoken signed, nested values and non-ASCII text included', () => {
    const claims = { sub: 'svc', name: 'Zoë 山田 🚀', nested: { list: [1, 'two', null, true] }, n: -1.5 };
    const token = jwt.sign(claims, 'another secret', { algorithm: 'HS384', noTimestamp: true, keyid: 'k-1' });
    const decoded = decodeJwt(token);
    expect(decoded.header).toStrictEqual({ alg: 'HS384', typ: 'JWT', kid: 'k-1' });
    expect(decoded.payload).toStrictEqual(claims);
    expect(decoded.signature).toBe(token.split('.')[2]);
  });

  it('does not verify: a well-formed but wrong signature decodes all the same', () => {
    const garbage = b64url('definitely not an HMAC of anything');
    expect(decodeJwt(`${HEADER}.${PAYLOAD}.${garbage}`)).toStrictEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { user_id: 123, role: 'admin' },
      signature: garbage,
    });
    // A header that says "none", or a payload signed by someone else: decoding is not trusting.
    const forged = `${b64url('{"alg":"none"}')}.${PAYLOAD}.`;
    expect(decodeJwt(forged)).toStrictEqual({ header: { alg: 'none' }, payload: { user_id: 123, role: 'admin' }, signature: '' });
  });
});

describe('decodeJwt refuses what is not a compact JWT with ERR_JWT_MALFORMED', () => {
  it.each([
    ['an empty string', ''],
    ['one character', 'a'],
    ['one segment', HEADER],
    ['four segments', 'a.b.c.d'],
    ['a valid token with a fourth segment', `${SEED_000}.${SIGNATURE}`],
    ['only dots', '..'],
    ['three empty segments', '...'],
    ['an empty header segment', `.${PAYLOAD}.${SIGNATURE}`],
    ['an empty payload segment', `${HEADER}..${SIGNATURE}`],
    ['a segment of length 4n+1', `${HEADER}.${PAYLOAD}a.${SIGNATURE}`],
    ['a leading space', ` ${SEED_000}`],
    ['a trailing newline', `${SEED_000}\n`],
    ['a "Bearer " prefix', `Bearer ${SEED_000}`],
  ])('refuses %s', (_what, input) => {
    malformed(input);
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { token: SEED_000 }],
    ['an array of the segments', SEED_000.split('.')],
    ['a Buffer holding a valid token', Buffer.from(SEED_000)],
  ])('refuses a non-string input: %s', (_what, input) => {
    malformed(input);
  });

  it("refuses base64 that is not base64url: '+', '/' and '=' padding", () => {
    const withPlus = b64('{"a":"~~~"}').replace(/=+$/, '');
    const withSlash = b64('{"a":"?>?"}').replace(/=+$/, '');
    expect(withPlus).toContain('+');
    expect(withSlash).toContain('/');
    // Their base64url spellings are fine, so only the alphabet is at fault.
    expect(decodeJwt(`${b64url('{"a":"~~~"}')}.${PAYLOAD}`).header).toEqual({ a: '~~~' });
    expect(decodeJwt(`${b64url('{"a":"?>?"}')}.${PAYLOAD}`).header).toEqual({ a: '?>?' });

    malformed(`${withPlus}.${PAYLOAD}.${SIGNATURE}`);
    malformed(`${HEADER}.${withSlash}.${SIGNATURE}`);
    malformed(`${b64('{"a":1}')}.${PAYLOAD}.${SIGNATURE}`); // eyJhIjoxfQ==
    malformed(`${HEADER}.${PAYLOAD}=.${SIGNATURE}`);
    malformed(`${HEADER}.${PAYLOAD}.${SIGNATURE}=`);
    malformed(`${HEADER}.${PAYLOAD}.${SIGNATURE.replace('-', '+')}`);
    malformed(`${HEADER}.${PAYLOAD}.${SIGNATURE.slice(0, -1)}/`);
  });

  it('refuses a non-canonical segment whose unused trailing bits are not zero', () => {
    const canonical = b64url('{"a":1}'); // eyJhIjoxfQ: the last character carries 2 data bits and 4 zero bits
    const nonCanonical = `${canonical.slice(0, -1)}R`;
    // Node's lenient decoder reads both as the same bytes: only a canonical check tells them apart.
    expect(Buffer.from(nonCanonical, 'base64url')).toEqual(Buffer.from(canonical, 'base64url'));
    expect(decodeJwt(`${canonical}.${PAYLOAD}`).header).toEqual({ a: 1 });
    malformed(`${nonCanonical}.${PAYLOAD}.${SIGNATURE}`);
    malformed(`${HEADER}.${nonCanonical}.${SIGNATURE}`);
  });

  it.each([
    ['a lone 0xFF byte', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ['an overlong encoding of "/"', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])],
    ['an encoded UTF-16 surrogate', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])],
    ['a truncated multi-byte sequence', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe6, 0x97, 0x22, 0x7d])],
  ])('refuses a segment that is not UTF-8: %s', (_what, bytes) => {
    malformed(`${b64url(bytes)}.${PAYLOAD}.${SIGNATURE}`);
    malformed(`${HEADER}.${b64url(bytes)}.${SIGNATURE}`);
  });

  it.each([
    ['text', 'not json'],
    ['truncated JSON', '{"alg":"HS256"'],
    ['single-quoted JSON', "{'alg':'HS256'}"],
    ['an array', '[1,2,3]'],
    ['a number', '123'],
    ['null', 'null'],
    ['a string', '"HS256"'],
    ['true', 'true'],
  ])('refuses a header or payload that is %s', (_what, json) => {
    malformed(`${b64url(json)}.${PAYLOAD}.${SIGNATURE}`);
    malformed(`${HEADER}.${b64url(json)}.${SIGNATURE}`);
    malformed(`${HEADER}.${b64url(json)}`);
  });
});

describe('decodeJwt under fuzzing either decodes to objects or throws ERR_JWT_MALFORMED', () => {
  /** mulberry32: a small deterministic PRNG, so a failure can be replayed. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', '.', '.', '+', '/', '=', ' ', '\n', '\0', 'é', '\uD800', '🚀'];

  /** The independent expectation for an input that decoded: canonical base64url segments of JSON objects. */
  function expectFaithful(input: string, decoded: ReturnType<typeof decodeJwt>): void {
    const segments = input.split('.');
    expect([2, 3]).toContain(segments.length);
    const [header = '', payload = '', signature = ''] = segments;
    for (const segment of [header, payload]) {
      expect(segment).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(segment, 'base64url').toString('base64url')).toBe(segment);
    }
    expect(decoded.header).toStrictEqual(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')));
    expect(decoded.payload).toStrictEqual(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    expect(decoded.signature).toBe(signature);
    expect(signature).toMatch(/^[A-Za-z0-9_-]*$/);
    for (const part of [decoded.header, decoded.payload]) {
      expect(typeof part === 'object' && part !== null && !Array.isArray(part)).toBe(true);
    }
  }

  function classify(input: string): 'decoded' | 'malformed' {
    let decoded: ReturnType<typeof decodeJwt>;
    try {
      decoded = decodeJwt(input);
    } catch (error) {
      if (!(error instanceof SignetError) || error.code !== 'ERR_JWT_MALFORMED') {
        expect.fail(`decodeJwt(${JSON.stringify(input)}) threw something other than ERR_JWT_MALFORMED: ${String(error)}`);
      }
      return 'malformed';
    }
    expectFaithful(input, decoded);
    return 'decoded';
  }

  it('handles 2,000 random strings', () => {
    const random = prng(0x5167e7);
    const outcomes = { decoded: 0, malformed: 0 };
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 80);
      let input = '';
      for (let j = 0; j < length; j++) input += ALPHABET[Math.floor(random() * ALPHABET.length)];
      outcomes[classify(input)] += 1;
    }
    expect(outcomes.malformed).toBeGreaterThan(1900);
  });

  it('handles 2,000 random mutations of a valid token', () => {
    const random = prng(0xdec0de);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const outcomes = { decoded: 0, malformed: 0 };
    const unsigned = `${HEADER}.${PAYLOAD}`;
    for (let i = 0; i < 2000; i++) {
      let input = pick([SEED_000, SEED_000_UNSIGNED, PORTONE_SAMPLE, unsigned]);
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (input.length + 1));
        switch (Math.floor(random() * 6)) {
          case 0: // replace a character
            input = input.slice(0, at) + pick(ALPHABET) + input.slice(at + 1);
            break;
          case 1: // delete a character
            input = input.slice(0, at) + input.slice(at + 1);
            break;
          case 2: // insert a character
            input = input.slice(0, at) + pick(ALPHABET) + input.slice(at);
            break;
          case 3: // truncate
            input = input.slice(0, at);
            break;
          case 4: // swap the first two segments
            input = input.split('.').reverse().join('.');
            break;
          default: // signature only: decodes whatever it becomes, as long as it stays base64url
            input = `${input.split('.').slice(0, 2).join('.')}.${b64url(String(random()))}`;
        }
      }
      outcomes[classify(input)] += 1;
    }
    // Both paths are exercised: the fuzzing is not only feeding garbage.
    expect(outcomes.decoded).toBeGreaterThan(50);
    expect(outcomes.malformed).toBeGreaterThan(500);
  });
});
