import { Buffer } from 'node:buffer';
import { type KeyObject } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignetError, portOneSigner, requestSigner, twoCheckoutSigner } from '@signet/core';
import { type VerifiableRequest, type Verifier, portOneVerifier, requestVerifier, twoCheckoutVerifier } from '@signet/verify';
import { SERVER_KINDS, type ServerKind, type SignetServer, startSignetServer } from './support/servers.js';
import { NOW, type SigningAlg, b64u, clockAt, segmentsOf, signSegments } from './support/tokens.js';
import { testKeys } from '@signet/test-support';

/**
 * Fuzzing of @signet/verify: valid requests of every scheme, mutated at random (the token's text, its segments, its
 * header and payload JSON with and without a valid signature, the HTTP headers, the url, the body). Whatever the
 * mutation, verify() must reject, with a SignetError and promptly; on a real server the answer is 401, 413 or 431.
 * Mutations that leave the request as the verifier reads it unchanged (a no-op) are detected and skipped.
 */

const SEED = 20_240_601;
const DIRECT_RUNS = 4_000;
const WIRE_RUNS_PER_SERVER = 400;
const TIMEOUT_MS = 2_000;
const MAX_BODY_BYTES = 4_096;

const rsa = testKeys().rsa;
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const clock = clockAt(NOW);
const API_KEY = 'ak_fuzz_42';
const CLIENT_KEY = 'SglffyyZgojEdXWL';
const PORTONE_SECRET = 'portone-secret-for-fuzzing';
const MERCHANT = 'MERCH42';
const SECRET_WORD = 'buy-link-secret-word';

type Scheme = 'request' | 'portone' | '2checkout';

/** A valid request of one scheme, and what a forger would need to re-sign its token. */
interface Base {
  name: string;
  scheme: Scheme;
  verifier: Verifier;
  request: VerifiableRequest;
  /** The header carrying the token, and what precedes the token in it. */
  tokenHeader: 'authorization' | 'merchant-token';
  prefix: 'Bearer ' | '';
  token: string;
  alg: SigningAlg;
  key: KeyObject | string;
  /** The scheme's longest lifetime: an `exp` further than this from `iat` must be refused. */
  maxLifetime: number;
}

const verifiers: Record<Scheme, Verifier> = {
  request: requestVerifier({ publicKey: rsa.publicKey, clock }),
  portone: portOneVerifier({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock }),
  '2checkout': twoCheckoutVerifier({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock }),
};

async function buildBases(): Promise<Base[]> {
  const rs = requestSigner({ apiKey: API_KEY, privateKey: rsa.privateKey, clock });
  const post = { method: 'POST', url: '/v1/payments?amount=100&currency=EUR', body: Buffer.from('{"amount":100,"currency":"EUR","reference":"order-42"}') };
  const get = { method: 'GET', url: '/v1/orders/42?expand=items&page=2', body: new Uint8Array(0) };
  const tokenOf = (value: string | undefined): string => String(value).replace(/^Bearer /, '');
  const rsPost = tokenOf((await rs.sign(post))['Authorization']);
  const rsGet = tokenOf((await rs.sign(get))['Authorization']);
  const portone = tokenOf((await portOneSigner({ clientKey: CLIENT_KEY, secretKey: PORTONE_SECRET, clock }).sign({ method: 'GET', url: '/' }))['Authorization']);
  const twoCheckout = String((await twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock }).sign({ method: 'POST', url: '/' }))['merchant-token']);
  const rsShared = { scheme: 'request' as const, verifier: verifiers.request, tokenHeader: 'authorization' as const, prefix: 'Bearer ' as const, alg: 'RS256' as const, key: rsa.privateKey, maxLifetime: 55 };
  return [
    { ...rsShared, name: 'requestSigner POST', token: rsPost, request: { ...post, headers: { authorization: `Bearer ${rsPost}`, 'content-type': 'application/json' } } },
    { ...rsShared, name: 'requestSigner GET', token: rsGet, request: { ...get, headers: { authorization: `Bearer ${rsGet}` } } },
    {
      name: 'portOneSigner',
      scheme: 'portone',
      verifier: verifiers.portone,
      request: { method: 'GET', url: '/api/transaction/order-42/status', headers: { authorization: `Bearer ${portone}`, 'x-portone-client-key': CLIENT_KEY }, body: new Uint8Array(0) },
      tokenHeader: 'authorization',
      prefix: 'Bearer ',
      token: portone,
      alg: 'HS256',
      key: PORTONE_SECRET,
      maxLifetime: 100,
    },
    {
      name: 'twoCheckoutSigner',
      scheme: '2checkout',
      verifier: verifiers['2checkout'],
      request: {
        method: 'POST',
        url: '/checkout/api/encrypt/generate/signature',
        headers: { 'merchant-token': twoCheckout, 'content-type': 'application/json' },
        body: Buffer.from('{"merchant":"MERCH42","prod":"Pro plan","price":49}'),
      },
      tokenHeader: 'merchant-token',
      prefix: '',
      token: twoCheckout,
      alg: 'HS512',
      key: SECRET_WORD,
      maxLifetime: 1800,
    },
  ];
}

// ---- mutations, as plain data (so a counterexample reads as what was done) -----------------------------------------

// A symbol, not a string: a string sentinel is itself a valid JSON claim value, so the union could not tell them apart.
const REMOVE: unique symbol = Symbol('removed');
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type TextEdit = { op: 'substitute'; at: number; char: string } | { op: 'insert'; at: number; char: string } | { op: 'delete'; at: number; length: number };

type SignAs = SigningAlg | 'none' | 'public key as HMAC secret';
type Forgery = { header: Record<string, Json>; signAs: SignAs };

type Mutation =
  | { kind: 'token text'; edits: TextEdit[] }
  | { kind: 'token segments'; order: number[]; joiner: string }
  | { kind: 'header JSON, signature kept'; name: string; value: Json | typeof REMOVE }
  | { kind: 'payload JSON, signature kept'; name: string; value: Json | typeof REMOVE }
  | { kind: 'payload text, signature kept'; text: string }
  | { kind: 'claim invalid, re-signed'; changes: { name: string; value: Json | typeof REMOVE }[] }
  | ({ kind: 'header forged, re-signed' } & Forgery)
  | { kind: 'foreign token'; from: number }
  | { kind: 'token header'; edit: string; extra: string }
  | { kind: 'client key header'; edit: 'remove' | 'replace' | 'duplicate'; value: string }
  | { kind: 'url'; edits: TextEdit[]; variant: string }
  | { kind: 'body'; edit: 'flip' | 'append' | 'truncate' | 'remove' | 'absent' | 'replace' | 'oversize'; at: number; bytes: Uint8Array };

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Characters for edits. On the wire, only what node:http lets a client send: in a header value, visible ASCII, space
 * and Latin-1; in a request-target, visible ASCII.
 */
function editChar(wire: boolean, where: 'header' | 'url'): fc.Arbitrary<string> {
  const specials = !wire ? '.=+/ "\\%,;:?&#\t\n\r\u0000\u007f\u00e9\u00ff\u2028\ud83d\ude00' : where === 'header' ? '.=+/ "\\%,;:\u00e9\u00ff' : '.=+/"\\%,;:?&#';
  return fc.oneof(fc.constantFrom(...B64URL.split('')), fc.constantFrom(...Array.from(specials)));
}

function textEdits(wire: boolean, where: 'header' | 'url'): fc.Arbitrary<TextEdit[]> {
  const edit = fc.oneof(
    fc.record({ op: fc.constantFrom('substitute' as const, 'insert' as const), at: fc.nat(), char: editChar(wire, where) }).map((edit) => edit as TextEdit),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 });
}

function applyEdits(text: string, edits: readonly TextEdit[], keepFirst = 0): string {
  let out = text;
  for (const edit of edits) {
    const room = out.length - keepFirst;
    if (room <= 0 && edit.op !== 'insert') continue;
    const at = keepFirst + (room <= 0 ? 0 : edit.at % (edit.op === 'insert' ? room + 1 : room));
    if (edit.op === 'delete') out = out.slice(0, at) + out.slice(at + edit.length);
    else out = out.slice(0, at) + edit.char + out.slice(edit.op === 'substitute' ? at + 1 : at);
  }
  return out;
}

/** JSON values of every type, with the numbers that trip parsers: floats, huge, negative, exponents. */
const oddJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 2 ** 53, 2 ** 64, 1e21, 1e308, -1e308, Number.MIN_VALUE, '', ' ', '0', `${NOW}`, [], {}, [NOW], { $numberLong: String(NOW) }, 'none'),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** A time claim that is not a whole number of seconds since the epoch. */
const notSeconds: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(`${NOW}`, NOW + 0.5, 2 ** 53, 1e21, 1e308, -1, -NOW, true, false, null, [], {}, [NOW], { $date: NOW }, '', 'now'),
  fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** A `sub` the RS scheme must refuse: not 1-256 visible ASCII characters. */
const badSubject: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>('', ' ', 'a b', 'ak\u0000', 'ak\u007f', '\u00e9', 'x'.repeat(257), 42, null, true, [], {}, [API_KEY], { sub: API_KEY }),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(' ', '\t', '\n', '\u00e9', '\u2028', '\u0000'), fc.string({ maxLength: 8 })).map(([a, bad, b]) => `${a}${bad}${b}`),
);

/** Claim edits that must be refused even with a valid signature, per scheme. */
type Change = { name: string; value: Json | typeof REMOVE };

function invalidClaims(base: Base, claims: Record<string, unknown>): fc.Arbitrary<Change[]> {
  const iat = Number(claims['iat']);
  const pick = (name: string, value: fc.Arbitrary<Json | typeof REMOVE>): fc.Arbitrary<Change[]> => value.map((v) => [{ name, value: v }]);
  const differentFrom = (current: unknown): fc.Arbitrary<Json> => oddJson.filter((value) => JSON.stringify(value) !== JSON.stringify(current));
  const edits = [
    // Issued in the future beyond the 5 s tolerance, or in the past (then it lives longer than allowed).
    pick('iat', fc.oneof(notSeconds, fc.integer({ min: NOW + 6, max: NOW + 1e9 }), fc.integer({ min: 0, max: NOW - 1 }), fc.constant(REMOVE))),
    // Expired, not after iat, or living longer than the scheme allows. 2Checkout's exp is optional.
    pick('exp', fc.oneof(notSeconds, fc.integer({ min: iat + base.maxLifetime + 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: NOW }), ...(base.scheme === '2checkout' ? [] : [fc.constant(REMOVE)]))),
    pick('nbf', fc.oneof(notSeconds, fc.integer({ min: NOW + 6, max: NOW + 1e9 }))),
    // Expired beyond the tolerance, with a lifetime the scheme allows.
    fc.tuple(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: base.maxLifetime })).map(([ago, lifetime]) => [
      { name: 'exp', value: NOW - 5 - ago },
      { name: 'iat', value: NOW - 5 - ago - lifetime },
    ]),
    // A fixed RS key accepts any well-formed sub; the provider schemes accept only their own.
    pick('sub', base.scheme === 'request' ? fc.oneof(badSubject, fc.constant(REMOVE)) : fc.oneof(differentFrom(claims['sub']), fc.constant(REMOVE))),
  ];
  if (base.scheme === 'request') {
    edits.push(pick('uri', fc.oneof(differentFrom(claims['uri']), fc.constant(String(claims['uri']).toUpperCase()), fc.constant(`${String(claims['uri'])}/`), fc.constant(REMOVE))));
    edits.push(pick('bodyHash', fc.oneof(differentFrom(claims['bodyHash']), fc.constant(String(claims['bodyHash']).toUpperCase()), fc.constant(REMOVE))));
  }
  if (base.scheme === 'portone') edits.push(pick('iss', fc.oneof(differentFrom('PORTONE'), fc.constantFrom('portone', 'CHAIPAY', 'PORTONE '), fc.constant(REMOVE))));
  return fc.oneof(...edits);
}

/** Headers that must be refused even when the token is signed over them (or, for 'none', not signed at all). */
function forgedHeaders(base: Base): fc.Arbitrary<Forgery> {
  const badTyp = fc.oneof(
    fc.constantFrom<Json>('JOSE', 'at+jwt', 'JWS', '', 'JWT ', ' JWT', 'application/jwt', null, 1, true, ['JWT'], { typ: 'JWT' }),
    fc.string({ maxLength: 8 }).filter((typ) => typ.toUpperCase() !== 'JWT'),
  );
  // Algorithms the scheme does not allow, each signed correctly for what it claims (RS*/PS* with an RSA key).
  const otherAlgs: SigningAlg[] = base.scheme === 'request' ? ['RS384', 'RS512', 'PS256'] : base.scheme === 'portone' ? ['HS384', 'HS512', 'RS256'] : ['HS256', 'HS384', 'RS256'];
  const forgeries: fc.Arbitrary<Forgery>[] = [
    fc.constantFrom('none', 'None', 'NONE', 'nOnE', '').map((alg): Forgery => ({ header: { alg, typ: 'JWT' }, signAs: 'none' })),
    fc.constantFrom(...otherAlgs).map((alg): Forgery => ({ header: { alg, typ: 'JWT' }, signAs: alg })),
    badTyp.map((typ): Forgery => ({ header: { alg: base.alg, typ }, signAs: base.alg })),
    oddJson.map((crit): Forgery => ({ header: { alg: base.alg, typ: 'JWT', crit }, signAs: base.alg })),
    fc.constant<Forgery>({ header: { typ: 'JWT' }, signAs: base.alg }),
    oddJson.filter((alg) => alg !== base.alg).map((alg): Forgery => ({ header: { alg, typ: 'JWT' }, signAs: base.alg })),
  ];
  // The classic key confusion: HS256 with the RSA public key (as PEM text) for the HMAC secret.
  if (base.scheme === 'request') forgeries.push(fc.constant<Forgery>({ header: { alg: 'HS256', typ: 'JWT' }, signAs: 'public key as HMAC secret' }));
  return fc.oneof(...forgeries);
}

/** A field set to an odd JSON value, or one of the fields present removed. */
function fieldEdit(present: readonly string[], others: readonly string[]): fc.Arbitrary<{ name: string; value: Json | typeof REMOVE }> {
  return fc.oneof(
    fc.record({ name: fc.oneof(fc.constantFrom(...present, ...others), fc.string({ maxLength: 6 })), value: oddJson }),
    fc.record({ name: fc.constantFrom(...present), value: fc.constant<typeof REMOVE>(REMOVE) }),
  );
}

function mutationOf(base: Base, index: number, baseCount: number, wire: boolean): fc.Arbitrary<Mutation> {
  const [headerSegment, payloadSegment] = segmentsOf(base.token);
  const header = decodeJson(headerSegment);
  const claims = decodeJson(payloadSegment);
  const tokenHeaderEdits = ['remove', 'scheme', 'appended', 'oversized', ...(wire && base.tokenHeader === 'authorization' ? [] : ['duplicate']), ...(wire ? [] : ['edge whitespace', 'non-latin1'])];
  const mutations: fc.Arbitrary<Mutation>[] = [
    textEdits(wire, 'header').map((edits) => ({ kind: 'token text' as const, edits })),
    fc
      .record({ order: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }), joiner: fc.constantFrom('.', '..', '', ',', ' ') })
      .map(({ order, joiner }) => ({ kind: 'token segments' as const, order, joiner })),
    fieldEdit(Object.keys(header), ['crit', 'kid', 'jku', 'x5u', 'jwk', 'b64', 'cty', 'zip']).map((edit) => ({ kind: 'header JSON, signature kept' as const, ...edit })),
    fieldEdit(Object.keys(claims), ['nbf', 'jti', 'nonce', 'iss', 'aud', '__proto__', 'constructor']).map((edit) => ({ kind: 'payload JSON, signature kept' as const, ...edit })),
    fc
      .oneof(fc.string({ maxLength: 40 }), fc.json({ maxDepth: 2 }), fc.constantFrom('{"sub":"x","sub":"y"}', 'null', '[]', '"x"', '{', '{}', '\ufeff{}'))
      .map((text) => ({ kind: 'payload text, signature kept' as const, text })),
    invalidClaims(base, claims).map((changes) => ({ kind: 'claim invalid, re-signed' as const, changes })),
    forgedHeaders(base).map((forgery) => ({ kind: 'header forged, re-signed' as const, ...forgery })),
    // Another scheme's token, or the same scheme's for another request.
    fc.nat(baseCount - 2).map((from) => ({ kind: 'foreign token' as const, from: from >= index ? from + 1 : from })),
    fc
      .record({
        edit: fc.constantFrom(...tokenHeaderEdits),
        extra: fc.oneof(
          fc.constantFrom('Basic ', 'Token ', 'Bearer', 'Bearer  ', 'Bearer\t', 'Bearer: ', 'JWT ', 'Bearer=', ''),
          fc.string({ minLength: 1, maxLength: 6 }).filter((text) => text.trim() !== ''),
        ),
      })
      .map((edit) => ({ kind: 'token header' as const, ...edit })),
  ];
  if (base.scheme === 'portone') {
    const other = wire ? fc.stringMatching(/^[\x21-\x7e]{1,20}$/) : fc.string({ maxLength: 20 });
    mutations.push(
      fc
        .record({ edit: fc.constantFrom('remove' as const, 'replace' as const, 'duplicate' as const), value: fc.oneof(other, fc.constantFrom(CLIENT_KEY.toLowerCase(), CLIENT_KEY.slice(1), `${CLIENT_KEY}x`)) })
        .map((edit) => ({ kind: 'client key header' as const, ...edit })),
    );
  }
  if (base.scheme === 'request') {
    mutations.push(
      fc
        .record({
          edits: fc.oneof(fc.constant([] as TextEdit[]), textEdits(wire, 'url')),
          variant: fc.constantFrom('none', 'upper case', 'trailing slash', 'query dropped', 'fragment', 'encoded letter', 'query reordered', 'empty parameter'),
        })
        .map((edit) => ({ kind: 'url' as const, ...edit })),
      fc
        .record({
          edit: fc.constantFrom('flip' as const, 'append' as const, 'truncate' as const, 'remove' as const, 'absent' as const, 'replace' as const, 'oversize' as const),
          at: fc.nat(),
          bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
        })
        .map((edit) => ({ kind: 'body' as const, ...edit })),
    );
  }
  return fc.oneof(...mutations);
}

// ---- applying a mutation -----------------------------------------------------------------------------------------

function decodeJson(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function withField(object: Record<string, unknown>, name: string, value: Json | typeof REMOVE): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, current] of Object.entries(object)) Object.defineProperty(copy, key, { value: current, enumerable: true, writable: true, configurable: true });
  if (value === REMOVE) delete copy[name];
  // defineProperty, so that '__proto__' becomes an own claim as JSON.parse makes it, not a prototype change.
  else Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function resign(base: Base, header: Record<string, unknown>, payload: Record<string, unknown>, signAs: SignAs): string {
  if (signAs === 'none') return `${b64u(header)}.${b64u(payload)}.`;
  if (signAs === 'public key as HMAC secret') return signSegments('HS256', publicPem, b64u(header), b64u(payload));
  return signSegments(signAs, signAs.startsWith('HS') ? base.key : rsa.privateKey, b64u(header), b64u(payload));
}

function mutatedToken(base: Base, mutation: Mutation, bases: readonly Base[]): string {
  const [header, payload, signature] = segmentsOf(base.token);
  switch (mutation.kind) {
    case 'token text':
      return applyEdits(base.token, mutation.edits);
    case 'token segments':
      return mutation.order.map((index) => [header, payload, signature][index]).join(mutation.joiner);
    case 'header JSON, signature kept':
      return `${b64u(withField(decodeJson(header), mutation.name, mutation.value))}.${payload}.${signature}`;
    case 'payload JSON, signature kept':
      return `${header}.${b64u(withField(decodeJson(payload), mutation.name, mutation.value))}.${signature}`;
    case 'payload text, signature kept':
      return `${header}.${b64u(mutation.text)}.${signature}`;
    case 'claim invalid, re-signed':
      return resign(
        base,
        decodeJson(header),
        mutation.changes.reduce((claims, { name, value }) => withField(claims, name, value), decodeJson(payload)),
        base.alg,
      );
    case 'header forged, re-signed':
      return resign(base, mutation.header, decodeJson(payload), mutation.signAs);
    case 'foreign token':
      return (bases[mutation.from] as Base).token;
    default:
      return base.token;
  }
}

function mutate(base: Base, mutation: Mutation, bases: readonly Base[]): VerifiableRequest {
  const headers: Record<string, string | string[] | undefined> = { ...base.request.headers };
  let url = base.request.url;
  let body: Uint8Array | undefined = base.request.body;
  const token = mutatedToken(base, mutation, bases);
  headers[base.tokenHeader] = `${base.prefix}${token}`;
  if (mutation.kind === 'token header') {
    const value = `${base.prefix}${token}`;
    const edits: Record<string, () => string | string[] | undefined> = {
      remove: () => undefined,
      scheme: () => `${mutation.extra}${token}`,
      appended: () => `${value} ${mutation.extra}`,
      oversized: () => `${value}${'A'.repeat(8_200 + mutation.extra.length * 100)}`,
      duplicate: () => [value, value],
      'edge whitespace': () => (mutation.extra.length % 2 === 0 ? ` ${value}` : `${value}${mutation.extra.length % 3 === 0 ? '\t' : ' '}`),
      'non-latin1': () => `${value}\u2603${mutation.extra}`,
    };
    headers[base.tokenHeader] = (edits[mutation.edit] as () => string | string[] | undefined)();
  }
  if (mutation.kind === 'client key header') {
    headers['x-portone-client-key'] = mutation.edit === 'remove' ? undefined : mutation.edit === 'replace' ? mutation.value : [CLIENT_KEY, CLIENT_KEY];
  }
  if (mutation.kind === 'url') {
    // The first character stays '/': anything else is not an origin-form request-target at all.
    url = applyEdits(url, mutation.edits, 1);
    const variants: Record<string, (text: string) => string> = {
      none: (text) => text,
      'upper case': (text) => text.toUpperCase(),
      'trailing slash': (text) => text.replace(/(\?|$)/, '/$1'),
      'query dropped': (text) => text.replace(/\?.*$/, ''),
      fragment: (text) => `${text}#top`,
      'encoded letter': (text) => text.replace(/[a-z]/, (letter) => `%${letter.charCodeAt(0).toString(16)}`),
      'query reordered': (text) => text.replace(/\?([^&]*)&([^&]*)/, '?$2&$1'),
      'empty parameter': (text) => `${text}${text.includes('?') ? '&' : '?'}`,
    };
    url = (variants[mutation.variant] as (text: string) => string)(url);
  }
  if (mutation.kind === 'body') {
    const current = Buffer.from(body ?? new Uint8Array());
    const at = current.length === 0 ? 0 : mutation.at % current.length;
    const edits: Record<Extract<Mutation, { kind: 'body' }>['edit'], () => Uint8Array | undefined> = {
      flip: () => {
        const copy = Buffer.from(current.length === 0 ? mutation.bytes : current);
        copy[at] = (copy[at] as number) ^ ((mutation.bytes[0] as number) | 1);
        return copy;
      },
      append: () => Buffer.concat([current, mutation.bytes]),
      truncate: () => current.subarray(0, at),
      // The body removed: the request arrives with none (zero bytes).
      remove: () => new Uint8Array(0),
      // No body bytes given to verify() at all: a malformed request, whatever the token says.
      absent: () => undefined,
      replace: () => Buffer.from(mutation.bytes),
      oversize: () => Buffer.alloc(MAX_BODY_BYTES + 1 + (mutation.at % 2_000), mutation.bytes[0]),
    };
    body = edits[mutation.edit]();
  }
  // An absent body is left out (not set to undefined), as a caller that forgot it would.
  return { method: base.request.method, url, headers, ...(body === undefined ? {} : { body }) } as VerifiableRequest;
}

/** What the verifier reads of a request; two requests with the same view verify alike. */
function viewOf(request: VerifiableRequest, scheme: Scheme, wire: boolean): string {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    // On the wire, node:http trims a header value, keeps the first of repeated Authorization headers and joins others.
    let seen = Array.isArray(value) ? (wire ? (name === 'authorization' ? (value[0] as string) : value.join(', ')) : JSON.stringify(value)) : value;
    if (wire) seen = seen.replace(/^[ \t]+|[ \t]+$/g, '');
    headers[name] = seen;
  }
  // On the wire a request without body bytes is one with an empty body; verify() refuses one it was not given the bytes of.
  const absent = request.body === undefined && !wire;
  const body = request.body === undefined || request.body.byteLength === 0 ? Buffer.from('{}') : Buffer.from(request.body);
  // The provider schemes bind neither the url nor the body (but verify() of every scheme needs the body bytes).
  return JSON.stringify({ headers, absent, ...(scheme === 'request' ? { url: request.url, body: body.toString('base64') } : {}) });
}

/** Settles within the timeout: resolved, rejected (with what) or hung. */
async function settle(promise: Promise<unknown>): Promise<{ state: 'resolved' } | { state: 'rejected'; error: unknown } | { state: 'hung' }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ state: 'hung' }>((resolve) => {
    timer = setTimeout(() => resolve({ state: 'hung' }), TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      promise.then(
        () => ({ state: 'resolved' as const }),
        (error: unknown) => ({ state: 'rejected' as const, error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request over a fresh connection, headers (repeated ones too) and body exactly as given. */
function send(origin: string, request: VerifiableRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value;
    if (request.body !== undefined) headers['content-length'] = String(request.body.byteLength);
    // `path`, not a URL: the request-target goes on the request line as it is, not normalized by a URL parser.
    const { hostname, port } = new URL(origin);
    const req = httpRequest({ hostname, port, path: request.url, method: request.method, headers, agent: false, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

// ---- the fuzz runs -----------------------------------------------------------------------------------------------

let bases: Base[];
beforeAll(async () => {
  bases = await buildBases();
});

function fuzzCase(wire: boolean): fc.Arbitrary<{ base: number; mutation: Mutation }> {
  return fc.nat(bases.length - 1).chain((index) => {
    const base = bases[index] as Base;
    return mutationOf(base, index, bases.length, wire).map((mutation) => ({ base: index, mutation }));
  });
}

describe('fuzzing @signet/verify with mutated requests', () => {
  it('the unmutated request of every scheme verifies (the control every mutation departs from)', async () => {
    for (const base of bases) await expect(base.verifier.verify(base.request), base.name).resolves.toMatchObject({ iat: NOW });
    expect(bases.map(({ scheme }) => scheme)).toEqual(['request', 'request', 'portone', '2checkout']);
  });

  it(`${DIRECT_RUNS} random mutations never verify, and verify() rejects each only with a SignetError, promptly`, async () => {
    const tally = { run: 0, noOps: 0, kinds: new Map<string, number>(), codes: new Set<string>() };
    await fc.assert(
      fc.asyncProperty(fuzzCase(false), async ({ base: index, mutation }) => {
        const base = bases[index] as Base;
        const request = mutate(base, mutation, bases);
        if (viewOf(request, base.scheme, false) === viewOf(base.request, base.scheme, false)) {
          tally.noOps += 1;
          return;
        }
        tally.run += 1;
        tally.kinds.set(mutation.kind, (tally.kinds.get(mutation.kind) ?? 0) + 1);
        const outcome = await settle(Promise.resolve().then(() => base.verifier.verify(request)));
        expect(outcome.state).toBe('rejected');
        const { error } = outcome as { error: unknown };
        expect(error).toBeInstanceOf(SignetError);
        expect((error as SignetError).code).toMatch(/^ERR_[A-Z_]+$/);
        // Without the body bytes nothing else is judged: the request itself is malformed.
        if (mutation.kind === 'body' && mutation.edit === 'absent') expect((error as SignetError).code).toBe('ERR_INVALID_REQUEST');
        tally.codes.add((error as SignetError).code);
      }),
      { seed: SEED, numRuns: DIRECT_RUNS },
    );
    expect(tally.noOps).toBeLessThan(DIRECT_RUNS * 0.1);
    expect([...tally.kinds.keys()].sort()).toEqual([
      'body',
      'claim invalid, re-signed',
      'client key header',
      'foreign token',
      'header JSON, signature kept',
      'header forged, re-signed',
      'payload JSON, signature kept',
      'payload text, signature kept',
      'token header',
      'token segments',
      'token text',
      'url',
    ]);
    // The refusals reach every layer: structure, algorithm, signature, claims and request binding.
    expect([...tally.codes].sort()).toEqual([
      'ERR_ALGORITHM_NOT_ALLOWED',
      'ERR_BODY_HASH_MISMATCH',
      'ERR_CLAIM_INVALID',
      'ERR_CLIENT_KEY_MISMATCH',
      'ERR_INVALID_REQUEST',
      'ERR_JWT_MALFORMED',
      'ERR_SIGNATURE_INVALID',
      'ERR_TOKEN_CRIT',
      'ERR_TOKEN_EXPIRED',
      'ERR_TOKEN_FUTURE',
      'ERR_TOKEN_LIFETIME',
      'ERR_TOKEN_MISSING',
      'ERR_TOKEN_TYPE',
      'ERR_URI_MISMATCH',
    ]);
  }, 60_000);
});

describe.each(SERVER_KINDS)('fuzzing the middleware on %s with mutated requests over the wire', (kind: ServerKind) => {
  const servers = new Map<Scheme, SignetServer>();

  beforeAll(async () => {
    for (const scheme of ['request', 'portone', '2checkout'] as const) {
      servers.set(scheme, await startSignetServer(kind, verifiers[scheme], { maxBodyBytes: MAX_BODY_BYTES }));
    }
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((server) => server.close()));
  });

  it('answers 200 to the unmutated request of every scheme', async () => {
    for (const base of bases) {
      const answer = await send((servers.get(base.scheme) as SignetServer).origin, base.request);
      expect(answer.status, `${base.name}: ${answer.body}`).toBe(200);
    }
  });

  it(`answers ${WIRE_RUNS_PER_SERVER} random mutated requests with 401, 413 or 431, never 200 nor 5xx, and never calls the route`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fuzzCase(true), async ({ base: index, mutation }) => {
        const base = bases[index] as Base;
        const request = mutate(base, mutation, bases);
        if (viewOf(request, base.scheme, true) === viewOf(base.request, base.scheme, true)) return;
        const server = servers.get(base.scheme) as SignetServer;
        const routed = server.seen.length;
        const answer = await send(server.origin, request);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect([401, 413, 431], `${answer.status} ${answer.body}`).toContain(answer.status);
        if (answer.status === 401) expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/^ERR_[A-Z_]+$/), message: expect.any(String) });
        expect(server.seen.length).toBe(routed);
      }),
      { seed: SEED, numRuns: WIRE_RUNS_PER_SERVER },
    );
    expect([...statuses.keys()].sort()).toEqual([401, 413, 431]);
  }, 60_000);
});
