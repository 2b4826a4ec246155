import { Buffer, isUtf8 } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosRequestTransformer, type CreateAxiosDefaults } from 'axios';
import axiosRetry from 'axios-retry';
import FormDataPackage from 'form-data';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { createSignedAxios, type SignedAxiosOptions } from '@signet/axios';
import { binaryCases, chunksOf, expectSignedForWire, interceptWithNock, randomBinary, type Received, startServer, stringCases, testKeys } from '@signet/test-support';

const API_KEY = 'bodies-test-key';
const NOCK_ORIGIN = 'http://signet.test';
const EMPTY_BODY_HASH = createHash('sha256').update('{}').digest('hex');
const keys = testKeys().rsa;
const signer = requestSigner({ apiKey: API_KEY, privateKey: keys.privateKey });
const axiosDefaultTransforms = ([] as AxiosRequestTransformer[]).concat(axios.defaults.transformRequest ?? []);

interface Wire {
  origin: string;
  received: Received[];
  stop(): Promise<void>;
}

interface Transport {
  name: string;
  start(): Promise<Wire>;
}

const realServer: Transport = {
  name: 'a real node:http server',
  async start() {
    // nock hooks node:http as soon as it is imported; the real server's requests must not pass through it.
    if (nock.isActive()) nock.restore();
    const server = await startServer();
    return { origin: server.origin, received: server.received, stop: () => server.close() };
  },
};

const nockRecorder: Transport = {
  name: 'nock',
  async start() {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    const recorder = interceptWithNock(NOCK_ORIGIN);
    return {
      origin: NOCK_ORIGIN,
      received: recorder.received,
      stop: async () => {
        recorder.done();
        nock.enableNetConnect();
      },
    };
  },
};

function expectSigned(received: Received): Record<string, unknown> {
  return expectSignedForWire(received, { publicKey: keys.publicKey, apiKey: API_KEY });
}

function boundaryOf(received: Received): string {
  const match = /^multipart\/form-data; ?boundary=(\S+)$/i.exec(String(received.headers['content-type']));
  expect(match, `multipart Content-Type with a boundary, got ${received.headers['content-type']}`).not.toBeNull();
  return match?.[1] ?? '';
}

/** The body opens with the Content-Type's boundary, closes with it, and holds `parts` parts. */
function expectDelimitedBy(body: Buffer, boundary: string, parts: number): void {
  const text = body.toString('latin1');
  expect(text.startsWith(`--${boundary}\r\n`)).toBe(true);
  expect(text.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
  expect(text.split(`--${boundary}\r\n`).length - 1).toBe(parts);
}

function parseMultipart(received: Received): Promise<FormData> {
  return new Response(new Uint8Array(received.body), {
    headers: { 'content-type': String(received.headers['content-type']) },
  }).formData();
}

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

const jsonCases: { title: string; value: unknown }[] = [
  { title: 'sends a plain object as its JSON.stringify output', value: { id: 42, amount: 100.5, tags: ['a', 'b'], ok: true, none: null } },
  { title: 'sends an array as its JSON.stringify output', value: [1, 'two', { three: 3 }, [4], null] },
  {
    title: 'sends nested unicode content as UTF-8 JSON',
    value: { customer: { name: 'Zoë Ångström', city: '東京' }, note: 'paid 💶 — thanks!', items: [{ label: 'crème brûlée 🍮', qty: 2 }] },
  },
];

const emptyBodies: { title: string; body: () => unknown }[] = [
  { title: 'null', body: () => null },
  { title: 'undefined', body: () => undefined },
  { title: "''", body: () => '' },
  { title: 'an empty Buffer', body: () => Buffer.alloc(0) },
  { title: 'an empty ArrayBuffer', body: () => new ArrayBuffer(0) },
];

for (const transport of [realServer, nockRecorder]) {
  describe(`request bodies over ${transport.name}`, () => {
    let wire: Wire;

    beforeEach(async () => {
      wire = await transport.start();
    });

    afterEach(async () => {
      await wire.stop();
    });

    function signedAxios(config: CreateAxiosDefaults = {}, options?: SignedAxiosOptions): AxiosInstance {
      return createSignedAxios(signer, { baseURL: wire.origin, ...config }, options);
    }

    function onlyRequest(): Received {
      expect(wire.received).toHaveLength(1);
      return wire.received[0] as Received;
    }

    describe('JSON', () => {
      for (const { title, value } of jsonCases) {
        it(title, async () => {
          await signedAxios().post('/payments', value);

          const received = onlyRequest();
          expect(received.method).toBe('POST');
          expect(received.url).toBe('/payments');
          expect(received.headers['content-type']).toMatch(/^application\/json\b/);
          expect(received.body).toEqual(Buffer.from(JSON.stringify(value), 'utf8'));
          expectSigned(received);
        });
      }
    });

    describe('strings', () => {
      for (const { title, body, contentType } of stringCases) {
        it(title, async () => {
          await signedAxios().post('/notes', body, { headers: contentType === undefined ? {} : { 'Content-Type': contentType } });

          const received = onlyRequest();
          expect(received.body.toString('utf8')).toBe(body);
          expect(received.body).toEqual(Buffer.from(body, 'utf8'));
          if (contentType !== undefined) expect(received.headers['content-type']).toBe(contentType);
          expectSigned(received);
        });
      }
    });

    describe('binary', () => {
      it('uses random bytes that are not valid UTF-8', () => {
        expect(isUtf8(randomBinary)).toBe(false);
      });

      for (const { title, body, bytes } of binaryCases) {
        it(title, async () => {
          await signedAxios().post('/upload', body());

          const received = onlyRequest();
          expect(received.body.length).toBe(bytes.length);
          expect(received.body.equals(bytes), 'received bytes equal the intended bytes').toBe(true);
          expectSigned(received);
        });
      }
    });

    describe('forms', () => {
      it('sends URLSearchParams as a=1&b=2 with a form Content-Type', async () => {
        await signedAxios().post('/form', new URLSearchParams({ a: '1', b: '2' }));

        const received = onlyRequest();
        expect(received.body.toString('utf8')).toBe('a=1&b=2');
        expect(received.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
        expectSigned(received);
      });

      it('sends URLSearchParams with reserved and non-ASCII characters percent-encoded', async () => {
        await signedAxios().post('/form', new URLSearchParams({ q: 'a b&c=d', emoji: '🚀' }));

        const received = onlyRequest();
        expect(received.body.toString('utf8')).toBe('q=a+b%26c%3Dd&emoji=%F0%9F%9A%80');
        expectSigned(received);
      });

      it('sends a global FormData whose boundary matches its delimiters and whose fields parse back', async () => {
        const form = new FormData();
        form.append('name', 'Zoë');
        form.append('note', '  spaced  ');
        form.append('upload', new File(['line 1\nline 2\n'], 'report.txt', { type: 'text/plain' }));
        form.append('raw', new Blob([Uint8Array.from([0, 255, 128])]), 'raw.bin');

        await signedAxios().post('/form', form);

        const received = onlyRequest();
        expectDelimitedBy(received.body, boundaryOf(received), 4);
        expectSigned(received);
        const parsed = await parseMultipart(received);
        expect(parsed.get('name')).toBe('Zoë');
        expect(parsed.get('note')).toBe('  spaced  ');
        const upload = parsed.get('upload') as File;
        expect(upload.name).toBe('report.txt');
        expect(upload.type).toBe('text/plain');
        expect(await upload.text()).toBe('line 1\nline 2\n');
        const raw = parsed.get('raw') as File;
        expect(raw.name).toBe('raw.bin');
        expect(Buffer.from(await raw.arrayBuffer())).toEqual(Buffer.from([0, 255, 128]));
      });

      it('sends a form-data package instance with its own boundary and fields that parse back', async () => {
        const form = new FormDataPackage();
        form.append('name', 'Zoë');
        form.append('upload', Buffer.from([0, 1, 2, 255]), { filename: 'data.bin', contentType: 'application/octet-stream' });

        await signedAxios().post('/form', form);

        const received = onlyRequest();
        const boundary = boundaryOf(received);
        expect(boundary).toBe(form.getBoundary());
        expectDelimitedBy(received.body, boundary, 2);
        expectSigned(received);
        const parsed = await parseMultipart(received);
        expect(parsed.get('name')).toBe('Zoë');
        const upload = parsed.get('upload') as File;
        expect(upload.name).toBe('data.bin');
        expect(Buffer.from(await upload.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
      });
    });

    describe('Blob Content-Type', () => {
      it('sends a Blob with a type under that type', async () => {
        await signedAxios().post('/blob', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }));

        const received = onlyRequest();
        expect(received.body.toString('utf8')).toBe('a,b\n1,2\n');
        expect(received.headers['content-type']).toBe('text/csv');
        expectSigned(received);
      });

      it('sends a Blob without a type as application/octet-stream', async () => {
        await signedAxios().post('/blob', new Blob([Uint8Array.from([1, 2, 3])]));

        const received = onlyRequest();
        expect(received.body).toEqual(Buffer.from([1, 2, 3]));
        expect(received.headers['content-type']).toBe('application/octet-stream');
        expectSigned(received);
      });
    });

    describe('empty bodies', () => {
      for (const method of ['POST', 'GET']) {
        for (const { title, body } of emptyBodies) {
          it(`signs a ${method} with ${title} as body over the hash of "{}" and sends no bytes`, async () => {
            await signedAxios().request({ method, url: '/empty', data: body() });

            const received = onlyRequest();
            expect(received.method).toBe(method);
            expect(received.body).toHaveLength(0);
            expect(expectSigned(received)['bodyHash']).toBe(EMPTY_BODY_HASH);
          });
        }
      }
    });

    describe('transformRequest', () => {
      const upperCase: AxiosRequestTransformer = (data: unknown) => (typeof data === 'string' ? data.toUpperCase() : data);
      const wrap: AxiosRequestTransformer = (data: unknown) => `{"wrapped":${String(data)}}`;

      it('applies an instance transformRequest before hashing', async () => {
        await signedAxios({ transformRequest: [upperCase] }).post('/t', 'shout this, please');

        const received = onlyRequest();
        expect(received.body.toString('utf8')).toBe('SHOUT THIS, PLEASE');
        expectSigned(received);
      });

      it('applies a request transformRequest that wraps the default JSON before hashing', async () => {
        await signedAxios().post('/t', { a: 1, s: ' x ' }, { transformRequest: [...axiosDefaultTransforms, wrap] });

        const received = onlyRequest();
        expect(received.body.toString('utf8')).toBe('{"wrapped":{"a":1,"s":" x "}}');
        expectSigned(received);
      });

      it('lets a request transformRequest replace the instance one', async () => {
        await signedAxios({ transformRequest: [upperCase] }).post('/t', 'keep me', { transformRequest: [(data: string) => `${data}!`] });

        const received = onlyRequest();
        expect(received.body.toString('utf8')).toBe('keep me!');
        expectSigned(received);
      });

      it('signs the Buffer and the Content-Type a transformRequest produces', async () => {
        const toCsv: AxiosRequestTransformer = (data: { rows: string[][] }, headers) => {
          headers.set('Content-Type', 'text/csv');
          return Buffer.from(data.rows.map((row) => row.join(',')).join('\n'), 'utf8');
        };

        await signedAxios().post(
          '/t',
          {
            rows: [
              ['a', 'b'],
              ['1', 'ü'],
            ],
          },
          { transformRequest: [toCsv] },
        );

        const received = onlyRequest();
        expect(received.body.toString('utf8')).toBe('a,b\n1,ü');
        expect(received.headers['content-type']).toBe('text/csv');
        expectSigned(received);
      });
    });

    describe('streams', () => {
      it('signs a Node Readable over its concatenated chunks', async () => {
        const chunks = [Buffer.from('first,'), Buffer.from([0xff, 0x00, 0xfe]), Buffer.from(',last')];

        await signedAxios().post('/stream', Readable.from(chunks), { headers: { 'Content-Type': 'application/octet-stream' } });

        const received = onlyRequest();
        expect(received.body).toEqual(Buffer.concat(chunks));
        expectSigned(received);
      });

      it('signs a Node Readable of strings over their UTF-8 bytes', async () => {
        await signedAxios().post('/stream', Readable.from(['héllo ', 'wörld 🚀']));

        const received = onlyRequest();
        expect(received.body).toEqual(Buffer.from('héllo wörld 🚀', 'utf8'));
        expectSigned(received);
      });

      it('sends a 1 MiB Node Readable whole under the default limit', async () => {
        const bytes = randomBytes(1024 * 1024);

        await signedAxios().post('/stream', Readable.from(chunksOf(bytes, 64 * 1024)));

        const received = onlyRequest();
        expect(received.body.equals(bytes), 'received bytes equal the streamed bytes').toBe(true);
        expectSigned(received);
      });

      it('accepts a Node Readable of exactly maxBufferedBodyBytes', async () => {
        const bytes = randomBytes(1024);

        await signedAxios({}, { maxBufferedBodyBytes: 1024 }).post('/stream', Readable.from(chunksOf(bytes, 256)));

        const received = onlyRequest();
        expect(received.body).toEqual(bytes);
        expectSigned(received);
      });

      it('refuses a Node Readable one byte over maxBufferedBodyBytes with ERR_BODY_TOO_LARGE and sends nothing', async () => {
        const stream = Readable.from(chunksOf(randomBytes(1025), 256));

        const error = await signedAxios({}, { maxBufferedBodyBytes: 1024 })
          .post('/stream', stream)
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(SignetError);
        expect(error).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' });
        expect(wire.received).toHaveLength(0);
        expect(stream.destroyed).toBe(true);
      });

      it('refuses a 64 KiB Node Readable over a 1 KiB limit with ERR_BODY_TOO_LARGE and sends nothing', async () => {
        const error = await signedAxios({}, { maxBufferedBodyBytes: 1024 })
          .post('/stream', Readable.from(chunksOf(randomBinary, 4096)))
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(SignetError);
        expect(error).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' });
        expect(wire.received).toHaveLength(0);
      });

      it('signs a web ReadableStream over its concatenated chunks', async () => {
        const chunks = [Uint8Array.from([1, 2, 3]), new TextEncoder().encode('—text—'), Uint8Array.from([0xff])];

        await signedAxios().post('/stream', webStream(chunks));

        const received = onlyRequest();
        expect(received.body).toEqual(Buffer.concat(chunks));
        expectSigned(received);
      });

      it('refuses a web ReadableStream over maxBufferedBodyBytes with ERR_BODY_TOO_LARGE and sends nothing', async () => {
        const error = await signedAxios({}, { maxBufferedBodyBytes: 1024 })
          .post('/stream', webStream(chunksOf(randomBytes(2048), 512)))
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(SignetError);
        expect(error).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' });
        expect(wire.received).toHaveLength(0);
      });
    });

    describe('bodies that cannot be signed', () => {
      it('refuses a transformRequest that returns a number with ERR_UNSUPPORTED_BODY and sends nothing', async () => {
        const error = await signedAxios()
          .post('/t', 'x', { transformRequest: [() => 42] })
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(SignetError);
        expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED_BODY' });
        expect(wire.received).toHaveLength(0);
      });

      it('refuses a plain object left unserialized by replaced transforms with ERR_UNSUPPORTED_BODY and sends nothing', async () => {
        const error = await signedAxios({ transformRequest: [(data: unknown) => data] })
          .post('/t', { a: 1 })
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(SignetError);
        expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED_BODY' });
        expect(wire.received).toHaveLength(0);
      });
    });

    describe('methods', () => {
      it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('sends and signs a %s with a body', async (method) => {
        await signedAxios().request({ method, url: '/resource/7?v=1', data: `${method} body ` });

        const received = onlyRequest();
        expect(received.method).toBe(method);
        expect(received.url).toBe('/resource/7?v=1');
        expect(received.body.toString('utf8')).toBe(`${method} body `);
        expectSigned(received);
      });

      it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])('signs a %s without a body over the hash of "{}"', async (method) => {
        await signedAxios().request({ method, url: '/resource/7' });

        const received = onlyRequest();
        expect(received.method).toBe(method);
        expect(received.body).toHaveLength(0);
        expect(expectSigned(received)['bodyHash']).toBe(EMPTY_BODY_HASH);
      });

      it('sends a DELETE with a JSON body and signs that body', async () => {
        await signedAxios().delete('/items/7', { data: { reason: 'duplicate', by: 'Zoë' } });

        const received = onlyRequest();
        expect(received.method).toBe('DELETE');
        expect(received.headers['content-type']).toMatch(/^application\/json\b/);
        expect(received.body.toString('utf8')).toBe('{"reason":"duplicate","by":"Zoë"}');
        expect(expectSigned(received)['bodyHash']).not.toBe(EMPTY_BODY_HASH);
      });
    });

    describe('resending a config that was already sent (as axios-retry does)', () => {
      it('resends a JSON body as the same bytes, signed again', async () => {
        const api = signedAxios();
        const response = await api.post('/retry', { amount: 100, note: ' x ', who: 'Zoë' });
        await api.request(response.config);

        expect(wire.received).toHaveLength(2);
        const [first, second] = wire.received as [Received, Received];
        expect(first.body.toString('utf8')).toBe('{"amount":100,"note":" x ","who":"Zoë"}');
        expect(second.body).toEqual(first.body);
        expect(second.headers['content-type']).toBe(first.headers['content-type']);
        expectSigned(first);
        expectSigned(second);
      });

      it('resends an untrimmed string marked application/json as the same bytes', async () => {
        const api = signedAxios();
        const response = await api.post('/retry', '  "raw"  ', { headers: { 'Content-Type': 'application/json' } });
        await api.request(response.config);

        expect(wire.received).toHaveLength(2);
        const [first, second] = wire.received as [Received, Received];
        expect(first.body.toString('utf8')).toBe('  "raw"  ');
        expect(second.body).toEqual(first.body);
        expectSigned(second);
      });

      it('resends a Node Readable body as the same bytes although the stream is spent', async () => {
        const chunks = [Buffer.from('once '), Buffer.from([0x00, 0xff]), Buffer.from(' only')];
        const api = signedAxios();
        const response = await api.post('/retry', Readable.from(chunks));
        await api.request(response.config);

        expect(wire.received).toHaveLength(2);
        const [first, second] = wire.received as [Received, Received];
        expect(first.body).toEqual(Buffer.concat(chunks));
        expect(second.body).toEqual(first.body);
        expectSigned(first);
        expectSigned(second);
      });

      it('resends a web ReadableStream body as the same bytes although the stream is spent', async () => {
        const api = signedAxios();
        const response = await api.post('/retry', webStream([new TextEncoder().encode('web '), Uint8Array.from([1, 2])]));
        await api.request(response.config);

        expect(wire.received).toHaveLength(2);
        const [first, second] = wire.received as [Received, Received];
        expect(first.body).toEqual(Buffer.concat([Buffer.from('web '), Buffer.from([1, 2])]));
        expect(second.body).toEqual(first.body);
        expectSigned(second);
      });

      it('resends a form-data package body as the same bytes under the same multipart boundary', async () => {
        const form = new FormDataPackage();
        form.append('field', 'value');
        const api = signedAxios();
        const response = await api.post('/retry', form);
        await api.request(response.config);

        expect(wire.received).toHaveLength(2);
        const [first, second] = wire.received as [Received, Received];
        expect(second.body).toEqual(first.body);
        expect(second.headers['content-type']).toBe(first.headers['content-type']);
        expectDelimitedBy(second.body, boundaryOf(second), 1);
        expect((await parseMultipart(second)).get('field')).toBe('value');
        expectSigned(second);
      });
    });
  });
}

// nock hands its reply function a fetch Request, which cannot carry a GET or HEAD body: only the real server can
// show what Node puts on the wire for those.
describe('bodies Node sends on a real server only', () => {
  let wire: Wire;

  beforeEach(async () => {
    wire = await realServer.start();
  });

  afterEach(async () => {
    await wire.stop();
  });

  it.each(['GET', 'HEAD'])('sends a %s body as it is and signs exactly what arrives', async (method) => {
    await createSignedAxios(signer, { baseURL: wire.origin }).request({ method, url: '/with-body', data: 'xyz' });

    expect(wire.received).toHaveLength(1);
    const received = wire.received[0] as Received;
    expect(received.method).toBe(method);
    expect(received.body.toString('utf8')).toBe('xyz');
    expect(expectSigned(received)['bodyHash']).toBe(createHash('sha256').update('xyz').digest('hex'));
  });

  it('lets axios-retry resend a stream body after a 503 with the same bytes, signed again', async () => {
    await wire.stop();
    let calls = 0;
    const server = await startServer(() => (++calls === 1 ? { status: 503, body: { retry: true } } : {}));
    wire = { origin: server.origin, received: server.received, stop: () => server.close() };
    const api = createSignedAxios(signer, { baseURL: wire.origin });
    axiosRetry(api, { retries: 2, retryDelay: () => 0, retryCondition: (error) => error.response?.status === 503 });
    const bytes = randomBytes(4096);

    const response = await api.post('/retry', Readable.from(chunksOf(bytes, 1000)));

    expect(response.status).toBe(200);
    expect(wire.received).toHaveLength(2);
    const [first, second] = wire.received as [Received, Received];
    expect(first.body).toEqual(bytes);
    expect(second.body).toEqual(bytes);
    expectSigned(first);
    expectSigned(second);
  });
});
