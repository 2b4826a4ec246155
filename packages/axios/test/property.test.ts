import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Agent, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosResponse, type ParamsSerializerOptions } from 'axios';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { requestVerifier, withSignet } from '@signet/verify';
import { testKeys } from '@signet/test-support';

const SEED = 42;
const RUNS = 150;
const apiKey = 'key-property-test';
const keys = testKeys().rsa;
const signer = requestSigner({ apiKey, privateKey: keys.privateKey });
const sha256Hex = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The server's own view of a request it verified, sent back in a header so that HEAD answers carry it too. */
interface Echo {
  method: string;
  /** `req.url` as node:http received it. */
  url: string;
  uri: unknown;
  bodyHash: unknown;
  /** SHA-256 of the raw body bytes the server read. */
  received: string;
}

interface VerifyingServer {
  origin: string;
  /** Every request that reached the server, verified or not. */
  hits: number;
  close(): Promise<void>;
}

async function startVerifyingServer(): Promise<VerifyingServer> {
  const state = { hits: 0 };
  const verified = withSignet(requestVerifier({ publicKey: keys.publicKeyPem }), (req, res, claims, raw) => {
    const echo: Echo = { method: req.method ?? '', url: req.url ?? '', uri: claims['uri'], bodyHash: claims['bodyHash'], received: sha256Hex(raw) };
    res.writeHead(200, { 'x-echo': Buffer.from(JSON.stringify(echo)).toString('base64url') });
    res.end();
  });
  const server: Server = createServer((req, res) => {
    state.hits += 1;
    verified(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function echoOf(response: AxiosResponse): Echo {
  return JSON.parse(Buffer.from(String(response.headers['x-echo']), 'base64url').toString('utf8')) as Echo;
}

// ---- arbitraries ------------------------------------------------------------------------------------------------

/** A request body as axios is given it, and the exact bytes it must become on the wire. */
interface BodyCase {
  kind: string;
  data: unknown;
  bytes: Buffer;
}

const jsonBody = fc
  .oneof(fc.object({ maxDepth: 3, maxKeys: 6 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }))
  // axios JSON-encodes objects and arrays with JSON.stringify; values JSON cannot hold (undefined, -0, NaN) are
  // encoded as JSON.stringify encodes them.
  .map((value): BodyCase => ({ kind: 'json', data: value, bytes: Buffer.from(JSON.stringify(value), 'utf8') }));

const textBody = fc
  .oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', ' ', '  {"a":1}  ', '"quoted"', 'null'))
  .map((text): BodyCase => ({ kind: 'string', data: text, bytes: Buffer.from(text, 'utf8') }));

const binaryBody = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes): BodyCase => ({ kind: 'Uint8Array', data: bytes, bytes: Buffer.from(bytes) })),
  fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.nat(16), fc.nat(16)).map(([bytes, before, after]): BodyCase => {
    const backing = new Uint8Array(before + bytes.length + after).fill(0xa5);
    backing.set(bytes, before);
    return { kind: 'Uint8Array view', data: backing.subarray(before, before + bytes.length), bytes: Buffer.from(bytes) };
  }),
  fc.float64Array({ maxLength: 20 }).map((floats): BodyCase => ({ kind: 'Float64Array', data: floats, bytes: Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength) })),
  fc.uint8Array({ maxLength: 100 }).map((bytes): BodyCase => ({ kind: 'ArrayBuffer', data: bytes.slice().buffer, bytes: Buffer.from(bytes) })),
  fc.uint8Array({ maxLength: 100 }).map((bytes): BodyCase => ({ kind: 'Buffer', data: Buffer.from(bytes), bytes: Buffer.from(bytes) })),
);

const formBody = fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 5 }).map((entries): BodyCase => {
  const form = new URLSearchParams(entries);
  return { kind: 'URLSearchParams', data: form, bytes: Buffer.from(form.toString(), 'utf8') };
});

const noBody = fc.constant<BodyCase>({ kind: 'none', data: undefined, bytes: Buffer.alloc(0) });

const body = fc.oneof(jsonBody, textBody, binaryBody, formBody, noBody);

// Raw segments go to axios as they are (with reserved and non-ASCII characters, '%', dot segments); encoded ones
// through encodeURIComponent. Neither holds '?' or '#' here: the query comes from params.
const rawSegment = fc.oneof(fc.string({ unit: fc.constantFrom(...'aZ09-._~!$&\'()*+,;=:@% "<>[]^`{|}éß日€😀\u00a0'.split(/(?:)/u)), maxLength: 10 }), fc.constantFrom('.', '..', '%2e', '%2F', '%zz', '%', 'a%20b'));
const encodedSegment = fc.string({ unit: 'grapheme', maxLength: 10 }).map((text) => encodeURIComponent(text));
// The first segment is never empty: a url starting with '//' is protocol-relative to axios, another origin.
const path = fc
  .tuple(
    fc.oneof(rawSegment, encodedSegment).filter((text) => text !== ''),
    fc.array(fc.oneof(rawSegment, encodedSegment), { maxLength: 4 }),
  )
  .map(([first, rest]) => `/${[first, ...rest].join('/')}`);

/** A baseURL path prefix: none, '/', or segments, with or without a trailing slash. */
const prefix = fc.oneof(
  fc.constantFrom('', '/'),
  fc
    .tuple(
      fc.array(
        fc.oneof(
          rawSegment.filter((text) => text !== ''),
          encodedSegment.filter((text) => text !== ''),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      fc.boolean(),
    )
    .map(([segments, slash]) => `/${segments.join('/')}${slash ? '/' : ''}`),
);

// axios trims param names before serializing them.
const paramName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 8 })
  .map((name) => name.trim())
  .filter((name) => name !== '');
const paramValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(paramName, fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.array(fc.integer(), { maxLength: 2 })), { maxKeys: 3 }),
);
const params = fc.oneof(fc.constant(undefined), fc.dictionary(paramName, paramValue, { maxKeys: 5 }));

/** Params flattened to name/value pairs the way a hand-written URLSearchParams serializer might. */
function searchParamsOf(input: Record<string, unknown>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(name, String(item));
    else search.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return search;
}

interface SerializerCase {
  name: string;
  serializer: ParamsSerializerOptions | ((params: Record<string, unknown>) => string) | undefined;
}

const serializer = fc.constantFrom<SerializerCase>(
  { name: 'default', serializer: undefined },
  { name: 'function (URLSearchParams)', serializer: (input) => searchParamsOf(input).toString() },
  { name: '{ serialize } (URLSearchParams)', serializer: { serialize: (input: Record<string, unknown>) => searchParamsOf(input).toString() } },
  { name: '{ encode: encodeURIComponent }', serializer: { encode: encodeURIComponent } },
  // axios hands encode() the raw value, which is not always a string.
  {
    name: '{ encode } escaping everything but letters and digits',
    serializer: {
      encode: (value: string) =>
        [...Buffer.from(String(value), 'utf8')].map((byte) => (/[A-Za-z0-9]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join(''),
    },
  },
  { name: '{ indexes: true }', serializer: { indexes: true } },
  { name: '{ indexes: null }', serializer: { indexes: null } },
);

const method = fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'DELETE', 'POST', 'PUT', 'PATCH');

// ---- expectations, written from the inputs ----------------------------------------------------------------------

const plainAxios = new axios.Axios({});

/** baseURL and url joined as axios documents it: an absolute or protocol-relative url stands alone. */
function joined(baseURL: string, url: string): string {
  if (/^([a-z][a-z\d+\-.]*:)?\/\//i.test(url)) return url;
  return url === '' ? baseURL : `${baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`;
}

/** The path the request must arrive on: baseURL and url joined, then parsed by the URL parser, as axios's own adapter does. */
function expectedPath(origin: string, basePath: string, url: string): string {
  return new URL(joined(`${origin}${basePath}`, url)).pathname;
}

/** The query: exactly the URLSearchParams string for those serializers, else axios's own serialization, parsed. */
function expectedSearch(origin: string, pathname: string, input: Record<string, unknown> | undefined, chosen: SerializerCase): string {
  if (chosen.name.includes('URLSearchParams')) {
    const query = searchParamsOf(input ?? {}).toString();
    return query === '' ? '' : `?${query}`;
  }
  const target = plainAxios.getUri({ url: pathname, params: input, ...(chosen.serializer === undefined ? {} : { paramsSerializer: chosen.serializer }) });
  return new URL(target, origin).search;
}

// ---- properties -------------------------------------------------------------------------------------------------

describe('property: whatever axios is asked to send, the server verifies exactly what arrived', () => {
  let server: VerifyingServer;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  beforeAll(async () => {
    server = await startVerifyingServer();
  });
  afterAll(async () => {
    agent.destroy();
    await server?.close();
  });

  it('random bodies, methods, paths, params, serializers and baseURL prefixes always verify, bound to the bytes and target received', async () => {
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(method, prefix, path, params, serializer, body, async (verb, basePath, url, query, chosen, sent) => {
        const withBody = verb !== 'HEAD' ? sent : { kind: 'none', data: undefined, bytes: Buffer.alloc(0) };
        kinds.add(withBody.kind);
        const api = createSignedAxios(signer, { baseURL: `${server.origin}${basePath}`, httpAgent: agent, validateStatus: () => true });
        const response = await api.request({
          method: verb,
          url,
          data: withBody.data,
          ...(query === undefined ? {} : { params: query }),
          ...(chosen.serializer === undefined ? {} : { paramsSerializer: chosen.serializer }),
        });
        expect(response.status, JSON.stringify(response.data)).toBe(200);
        const echo = echoOf(response);
        expect(echo.method).toBe(verb);
        expect(echo.uri).toBe(echo.url);
        const pathname = expectedPath(server.origin, basePath, url);
        const received = new URL(server.origin + echo.url);
        expect(received.pathname).toBe(pathname);
        expect(received.search).toBe(expectedSearch(server.origin, pathname, query, chosen));
        expect(echo.url).toBe(received.pathname + received.search);
        expect(echo.received).toBe(sha256Hex(withBody.bytes));
        expect(echo.bodyHash).toBe(sha256Hex(withBody.bytes.length > 0 ? withBody.bytes : Buffer.from('{}')));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect([...kinds].sort()).toEqual(['ArrayBuffer', 'Buffer', 'Float64Array', 'URLSearchParams', 'Uint8Array', 'Uint8Array view', 'json', 'none', 'string']);
  });

  it('flat string params with the default serializer arrive as exactly those names and values', async () => {
    await fc.assert(
      fc.asyncProperty(path, fc.dictionary(paramName, fc.string({ unit: 'grapheme', maxLength: 12 }), { minKeys: 1, maxKeys: 6 }), async (url, query) => {
        const api = createSignedAxios(signer, { baseURL: server.origin, httpAgent: agent, validateStatus: () => true });
        const response = await api.get(url, { params: query });
        expect(response.status).toBe(200);
        const echo = echoOf(response);
        expect(echo.uri).toBe(echo.url);
        expect(Object.fromEntries(new URL(server.origin + echo.url).searchParams)).toEqual({ ...query });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('any url string is either signed for exactly the path axios resolves it to on this origin, or refused before a byte is sent', async () => {
    const outcomes = { verified: 0, refused: 0 };
    const anyUrl = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: fc.constantFrom(...'/?#&=%.\\:@ a\u00e9\u65e5\t\n'.split('')), maxLength: 20 }));
    await fc.assert(
      fc.asyncProperty(prefix, anyUrl, fc.option(fc.dictionary(paramName, fc.string({ maxLength: 6 }), { maxKeys: 3 }), { nil: undefined }), async (basePath, url, query) => {
        const baseURL = `${server.origin}${basePath}`;
        // Where axios itself would send this request: its adapter parses the joined URL with the URL parser.
        let resolved: URL | undefined;
        try {
          resolved = new URL(joined(baseURL, url));
        } catch {
          resolved = undefined;
        }
        const sameOrigin = resolved !== undefined && resolved.origin === server.origin && resolved.username === '' && resolved.password === '';
        const api = createSignedAxios(signer, { baseURL, httpAgent: agent, validateStatus: () => true });
        const before = server.hits;
        let outcome: { response: AxiosResponse } | { error: unknown };
        try {
          outcome = { response: await api.get(url, query === undefined ? {} : { params: query }) };
        } catch (error) {
          outcome = { error };
        }
        if (!sameOrigin) {
          // Another origin, or no URL at all: refused by Signet before anything is sent.
          expect('error' in outcome ? outcome.error : outcome.response.status).toBeInstanceOf(SignetError);
          expect(['ERR_INVALID_URL', 'ERR_ORIGIN_NOT_ALLOWED', 'ERR_AUTH_CONFLICT']).toContain((outcome as { error: SignetError }).error.code);
          expect(server.hits).toBe(before);
          outcomes.refused += 1;
          return;
        }
        if ('error' in outcome) throw outcome.error;
        expect(outcome.response.status).toBe(200);
        const echo = echoOf(outcome.response);
        expect(echo.uri).toBe(echo.url);
        expect(new URL(server.origin + echo.url).pathname).toBe((resolved as URL).pathname);
        if (query === undefined) expect(echo.url).toBe((resolved as URL).pathname + (resolved as URL).search);
        outcomes.verified += 1;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(outcomes.verified).toBeGreaterThan(RUNS / 2);
  });
});
