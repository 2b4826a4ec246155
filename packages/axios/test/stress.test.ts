import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Agent, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { type ReplayStore, memoryReplayStore, requestVerifier, withSignet } from '@signet/verify';
import { testKeys } from '@signet/test-support';

const REQUESTS = 2_000;
const apiKey = 'key-stress-test';
const keys = testKeys().rsa;
const sha256Hex = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What the server answers for a verified request: its own view, next to what the token claimed. */
interface Echo {
  /** `req.url` as node:http received it. */
  url: string;
  uri: unknown;
  bodyHash: unknown;
  /** SHA-256 of the raw body bytes the server read. */
  received: string;
}

/** One planned request, with everything the test expects of it written down before it is sent. */
interface Planned {
  id: number;
  method: 'GET' | 'DELETE' | 'POST' | 'PUT' | 'PATCH';
  /** Path segments before encoding; `encoded` ones are sent through encodeURIComponent, the others raw. */
  segments: { text: string; encoded: boolean }[];
  params: Record<string, string>;
  data: unknown;
  /** The exact bytes the server must receive. */
  bytes: Buffer;
}

// Raw segments hold characters that need no encoding decision from the test (no '/', '?', '#', '%', '\', '.'),
// including non-ASCII the URL parser percent-encodes; encoded segments may hold anything a string can.
const rawSegment = fc.string({ unit: fc.constantFrom(..."abcXYZ019-_~!$&'()*+,;=:@ éü日本€😀ß".split(/(?:)/u)), minLength: 1, maxLength: 12 });
const encodedSegment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((text) => text !== '.' && text !== '..');
const segment = fc.oneof(
  rawSegment.map((text) => ({ text, encoded: false })),
  encodedSegment.map((text) => ({ text, encoded: true })),
);

const body = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6, noNullPrototype: true }).map((value) => ({
    data: value,
    bytes: Buffer.from(JSON.stringify(value), 'utf8'),
  })),
  fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => ({ data: text, bytes: Buffer.from(text, 'utf8') })),
  // A view into a larger buffer: only its own bytes may go on the wire.
  fc.tuple(fc.uint8Array({ maxLength: 512 }), fc.nat(8)).map(([bytes, pad]) => {
    const backing = new Uint8Array(bytes.length + 2 * pad).fill(0xee);
    backing.set(bytes, pad);
    return { data: backing.subarray(pad, pad + bytes.length), bytes: Buffer.from(bytes) };
  }),
);

const plan = fc.record({
  method: fc.constantFrom('GET', 'DELETE', 'POST', 'PUT', 'PATCH'),
  segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
  // axios trims param names (not values) before it serializes them; names here are already trimmed.
  params: fc.dictionary(
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 6 })
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    {
      maxKeys: 4,
      noNullPrototype: true,
    },
  ),
  body,
});

function planRequests(): Planned[] {
  return fc.sample(plan, { seed: 2024, numRuns: REQUESTS }).map((sample, id) => {
    const withBody = sample.method === 'POST' || sample.method === 'PUT' || sample.method === 'PATCH';
    // `rid` makes every request's target unique, so a response that belongs to another request cannot match.
    const params = { ...sample.params, rid: String(id) };
    return {
      id,
      method: sample.method,
      segments: sample.segments,
      params,
      data: withBody ? sample.body.data : undefined,
      bytes: withBody ? sample.body.bytes : Buffer.alloc(0),
    };
  });
}

interface StressServer {
  origin: string;
  tokens: string[];
  claims: { fresh: number; replayed: number };
  close(): Promise<void>;
}

async function startStressServer(): Promise<StressServer> {
  const tokens: string[] = [];
  const claims = { fresh: 0, replayed: 0 };
  const memory = memoryReplayStore();
  const replay: ReplayStore = {
    async claim(id, ttlSeconds) {
      const fresh = await memory.claim(id, ttlSeconds);
      if (fresh) claims.fresh += 1;
      else claims.replayed += 1;
      return fresh;
    },
  };
  const verifier = requestVerifier({ publicKey: keys.publicKeyPem, replay });
  const server: Server = createServer(
    withSignet(verifier, (req, res, verified, raw) => {
      tokens.push(String(req.headers.authorization));
      const echo: Echo = { url: req.url ?? '', uri: verified['uri'], bodyHash: verified['bodyHash'], received: sha256Hex(raw) };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(echo));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    tokens,
    claims,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe(`${REQUESTS} concurrent signed requests to a real server verifying with @signet/verify`, () => {
  let server: StressServer;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const planned = planRequests();
  const outcomes: { planned: Planned; status: number; echo: Echo }[] = [];

  beforeAll(async () => {
    server = await startStressServer();
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKey, nonce: true }), {
      baseURL: `${server.origin}/stress`,
      httpAgent: agent,
      validateStatus: () => true,
    });
    const started = Date.now();
    const responses = await Promise.all(
      planned.map((request) =>
        api.request<Echo>({
          method: request.method,
          url: `/${request.segments.map(({ text, encoded }) => (encoded ? encodeURIComponent(text) : text)).join('/')}`,
          params: request.params,
          data: request.data,
        }),
      ),
    );
    // 10-13 s on a 2-core VM busy with other test runs; RSA signing (~1 ms each) dominates. The bound catches a
    // collapse (requests serialized, or a socket pool stuck), not a slow machine.
    expect(Date.now() - started).toBeLessThan(60_000);
    responses.forEach((response, index) => outcomes.push({ planned: planned[index] as Planned, status: response.status, echo: response.data }));
  }, 90_000);

  afterAll(async () => {
    agent.destroy();
    await server?.close();
  });

  it('every request is answered 200 by the verifying server', () => {
    const refused = outcomes.filter(({ status }) => status !== 200).map(({ planned: { id }, status, echo }) => ({ id, status, echo }));
    expect(refused).toEqual([]);
    expect(outcomes).toHaveLength(REQUESTS);
  });

  it("each response echoes the token's uri as exactly the request-target the server received", () => {
    const mismatched = outcomes.filter(({ echo }) => echo.uri !== echo.url).map(({ planned: { id }, echo }) => ({ id, echo }));
    expect(mismatched).toEqual([]);
  });

  it("each request-target decodes to that request's own segments and params, so nothing crossed between requests", () => {
    const byName = ([a]: [string, string], [b]: [string, string]): number => (a < b ? -1 : a > b ? 1 : 0);
    const mismatched = outcomes.flatMap(({ planned: request, echo }) => {
      const url = new URL(echo.url, 'http://127.0.0.1');
      const seen = {
        segments: url.pathname
          .split('/')
          .slice(1)
          .map((part) => decodeURIComponent(part)),
        params: [...url.searchParams].sort(byName),
      };
      // The URL parser drops trailing spaces of the whole url before params are appended, as axios's own adapter does.
      const segments = request.segments.map(({ text }) => text);
      const last = request.segments[request.segments.length - 1] as Planned['segments'][number];
      if (!last.encoded) segments[segments.length - 1] = last.text.trimEnd();
      const sent = { segments: ['stress', ...segments], params: Object.entries(request.params).sort(byName) };
      return JSON.stringify(seen) === JSON.stringify(sent) ? [] : [{ id: request.id, url: echo.url, seen, sent }];
    });
    expect(mismatched).toEqual([]);
  });

  it("each response's body hashes are the SHA-256 of the very bytes that request sent", () => {
    const mismatched = outcomes.flatMap(({ planned: request, echo }) => {
      const expected = { received: sha256Hex(request.bytes), bodyHash: sha256Hex(request.bytes.length > 0 ? request.bytes : Buffer.from('{}')) };
      return echo.received === expected.received && echo.bodyHash === expected.bodyHash ? [] : [{ id: request.id, echo, expected }];
    });
    expect(mismatched).toEqual([]);
  });

  it(`all ${REQUESTS} tokens the server received are distinct, and its replay store saw none twice`, () => {
    expect(server.tokens).toHaveLength(REQUESTS);
    expect(new Set(server.tokens).size).toBe(REQUESTS);
    expect(server.claims).toEqual({ fresh: REQUESTS, replayed: 0 });
  });

  it('the plan itself covers JSON, text, binary and bodiless requests, and non-ASCII and encoded segments', () => {
    expect(planned.some(({ data }) => data instanceof Uint8Array && data.byteOffset > 0)).toBe(true);
    expect(planned.some(({ data }) => typeof data === 'string' && /[^\x00-\x7f]/.test(data))).toBe(true);
    expect(planned.some(({ data }) => typeof data === 'object' && data !== null && !(data instanceof Uint8Array))).toBe(true);
    expect(planned.some(({ bytes }) => bytes.length === 0)).toBe(true);
    expect(planned.some(({ segments }) => segments.some(({ text, encoded }) => !encoded && /[^\x00-\x7f]/.test(text)))).toBe(true);
    expect(planned.some(({ segments }) => segments.some(({ text, encoded }) => encoded && encodeURIComponent(text) !== text))).toBe(true);
  });
});
