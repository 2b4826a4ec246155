import { Buffer, isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { type SignedFetchOptions, type SignedRequestInit, createSignedFetch } from '@signet/fetch';
import { binaryCases, randomBinary, stringCases } from '@signet/test-support';
import { type Arrival, EMPTY_BODY_HASH, type Wire, chunksOf, onlyArrival, rejection, sha256, signer, webStream, wireKinds } from './support/wires.js';

const jsonCases: { title: string; value: Record<string, unknown> | unknown[] }[] = [
  { title: 'sends a plain object as its JSON.stringify output', value: { id: 42, amount: 100.5, tags: ['a', 'b'], ok: true, none: null } },
  { title: 'sends an array as its JSON.stringify output', value: [1, 'two', { three: 3 }, [4], null] },
  {
    title: 'sends nested unicode content as UTF-8 JSON',
    value: { customer: { name: 'Zoë Ångström', city: '東京' }, note: 'paid 💶 — thanks!', items: [{ label: 'crème brûlée 🍮', qty: 2 }] },
  },
  { title: 'sends an object without a prototype as JSON', value: Object.assign(Object.create(null) as Record<string, unknown>, { bare: true }) },
];

const emptyBodies: { title: string; body: () => BodyInit | null | undefined; methods: string[] }[] = [
  { title: 'null', body: () => null, methods: ['POST', 'GET'] },
  { title: 'undefined', body: () => undefined, methods: ['POST', 'GET'] },
  // fetch itself refuses any body, even an empty one, on a GET.
  { title: "''", body: () => '', methods: ['POST', 'PUT'] },
  { title: 'an empty Uint8Array', body: () => new Uint8Array(0), methods: ['POST', 'PUT'] },
  { title: 'an empty ArrayBuffer', body: () => new ArrayBuffer(0), methods: ['POST', 'PUT'] },
  { title: 'an empty Blob', body: () => new Blob([]), methods: ['POST', 'PUT'] },
];

function boundaryOf(arrival: Arrival): string {
  const match = /^multipart\/form-data; ?boundary=(\S+)$/i.exec(String(arrival.headers['content-type']));
  expect(match, `multipart Content-Type with a boundary, got ${arrival.headers['content-type']}`).not.toBeNull();
  return match?.[1] ?? '';
}

/** The body opens with the Content-Type's boundary, closes with it, and holds `parts` parts. */
function expectDelimitedBy(body: Buffer, boundary: string, parts: number): void {
  const text = body.toString('latin1');
  expect(text.startsWith(`--${boundary}\r\n`)).toBe(true);
  expect(text.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
  expect(text.split(`--${boundary}\r\n`).length - 1).toBe(parts);
}

function parseMultipart(arrival: Arrival): Promise<FormData> {
  return new Response(new Uint8Array(arrival.body), { headers: { 'content-type': String(arrival.headers['content-type']) } }).formData();
}

describe.each(wireKinds)('request bodies received by $name', (kind) => {
  let wire: Wire;

  beforeEach(async () => {
    wire = await kind.start();
  });

  afterEach(async () => {
    await wire.stop();
  });

  function signedFetch(options: Omit<SignedFetchOptions, 'baseURL'> = {}) {
    return createSignedFetch(signer, { baseURL: wire.origin, ...options });
  }

  async function post(path: string, body: NonNullable<SignedRequestInit['body']>, init: SignedRequestInit = {}): Promise<Arrival> {
    return onlyArrival(wire, await signedFetch()(path, { method: 'POST', body, ...init }));
  }

  describe('JSON', () => {
    for (const { title, value } of jsonCases) {
      it(title, async () => {
        const arrival = await post('/payments', value);

        expect(arrival.method).toBe('POST');
        expect(arrival.url).toBe('/payments');
        expect(arrival.headers['content-type']).toBe('application/json');
        expect(arrival.body).toEqual(Buffer.from(JSON.stringify(value), 'utf8'));
      });
    }

    it('keeps the Content-Type the caller set on a plain object body', async () => {
      const arrival = await post('/payments', { op: 'replace' }, { headers: { 'Content-Type': 'application/merge-patch+json' } });

      expect(arrival.headers['content-type']).toBe('application/merge-patch+json');
      expect(arrival.body.toString('utf8')).toBe('{"op":"replace"}');
    });

    it('keeps a Content-Type set through a Headers instance on an array body', async () => {
      const arrival = await post('/payments', [1, 2], { headers: new Headers({ 'content-type': 'application/vnd.api+json' }) });

      expect(arrival.headers['content-type']).toBe('application/vnd.api+json');
      expect(arrival.body.toString('utf8')).toBe('[1,2]');
    });
  });

  describe('strings', () => {
    for (const { title, body, contentType } of stringCases) {
      it(title, async () => {
        const arrival = await post('/notes', body, contentType === undefined ? {} : { headers: { 'Content-Type': contentType } });

        expect(arrival.body.toString('utf8')).toBe(body);
        expect(arrival.body).toEqual(Buffer.from(body, 'utf8'));
        expect(arrival.headers['content-type']).toBe(contentType ?? 'text/plain;charset=UTF-8');
      });
    }
  });

  describe('binary', () => {
    it('uses random bytes that are not valid UTF-8', () => {
      expect(isUtf8(randomBinary)).toBe(false);
    });

    for (const { title, body, bytes } of binaryCases) {
      it(title, async () => {
        const arrival = await post('/upload', body());

        expect(arrival.body.length).toBe(bytes.length);
        expect(arrival.body.equals(bytes), 'received bytes equal the intended bytes').toBe(true);
      });
    }

    it('sends a Uint8Array larger than maxBufferedBodyBytes whole: the limit is for stream bodies', async () => {
      const bytes = randomBytes(4096);

      const response = await signedFetch({ maxBufferedBodyBytes: 1024 })('/upload', { method: 'POST', body: bytes });

      expect((await onlyArrival(wire, response)).body).toEqual(bytes);
    });
  });

  describe('forms', () => {
    it('sends URLSearchParams as a=1&b=2 with a form Content-Type', async () => {
      const arrival = await post('/form', new URLSearchParams({ a: '1', b: '2' }));

      expect(arrival.body.toString('utf8')).toBe('a=1&b=2');
      expect(arrival.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
    });

    it('sends URLSearchParams with reserved and non-ASCII characters percent-encoded', async () => {
      const arrival = await post('/form', new URLSearchParams({ q: 'a b&c=d', emoji: '🚀' }));

      expect(arrival.body.toString('utf8')).toBe('q=a+b%26c%3Dd&emoji=%F0%9F%9A%80');
    });

    it('sends a FormData serialized once, under the boundary of its Content-Type, whose fields and Blob parts parse back', async () => {
      const form = new FormData();
      form.append('name', 'Zoë');
      form.append('note', '  spaced  ');
      form.append('upload', new File(['line 1\nline 2\n'], 'report.txt', { type: 'text/plain' }));
      form.append('raw', new Blob([Uint8Array.from([0, 255, 128])]), 'raw.bin');

      const arrival = await post('/form', form);

      expectDelimitedBy(arrival.body, boundaryOf(arrival), 4);
      const parsed = await parseMultipart(arrival);
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

    it('sends the same FormData twice, each time signed over the bytes of that sending', async () => {
      const form = new FormData();
      form.append('field', 'value');
      const api = signedFetch();

      expect((await api('/form', { method: 'POST', body: form })).status).toBe(200);
      expect((await api('/form', { method: 'POST', body: form })).status).toBe(200);

      const [first, second] = wire.arrivals() as [Arrival, Arrival];
      expect(wire.hits()).toBe(2);
      for (const arrival of [first, second]) {
        expectDelimitedBy(arrival.body, boundaryOf(arrival), 1);
        expect((await parseMultipart(arrival)).get('field')).toBe('value');
      }
    });
  });

  describe('Blob Content-Type', () => {
    it('sends a Blob with a type under that type', async () => {
      const arrival = await post('/blob', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }));

      expect(arrival.body.toString('utf8')).toBe('a,b\n1,2\n');
      expect(arrival.headers['content-type']).toBe('text/csv');
    });

    it('sends a Blob without a type with no Content-Type, as fetch does', async () => {
      const arrival = await post('/blob', new Blob([Uint8Array.from([1, 2, 3])]));

      expect(arrival.body).toEqual(Buffer.from([1, 2, 3]));
      expect(arrival.headers['content-type']).toBeUndefined();
    });

    it('lets a caller Content-Type override the Blob type', async () => {
      const arrival = await post('/blob', new Blob(['x'], { type: 'text/csv' }), { headers: { 'content-type': 'application/octet-stream' } });

      expect(arrival.headers['content-type']).toBe('application/octet-stream');
      expect(arrival.body.toString('utf8')).toBe('x');
    });
  });

  describe('streams', () => {
    it('signs a web ReadableStream over its concatenated chunks', async () => {
      const chunks = [Uint8Array.from([1, 2, 3]), new TextEncoder().encode('—text—'), Uint8Array.from([0xff])];

      const arrival = await post('/stream', webStream(chunks));

      expect(arrival.body).toEqual(Buffer.concat(chunks));
    });

    it('sends a 1 MiB web ReadableStream whole under the default limit', async () => {
      const bytes = randomBytes(1024 * 1024);

      const arrival = await post('/stream', webStream(chunksOf(bytes, 64 * 1024)));

      expect(arrival.body.equals(bytes), 'received bytes equal the streamed bytes').toBe(true);
    });

    it('accepts a web ReadableStream of exactly maxBufferedBodyBytes', async () => {
      const bytes = randomBytes(1024);

      const response = await signedFetch({ maxBufferedBodyBytes: 1024 })('/stream', { method: 'POST', body: webStream(chunksOf(bytes, 256)) });

      expect((await onlyArrival(wire, response)).body).toEqual(bytes);
    });

    it('refuses a web ReadableStream one byte over maxBufferedBodyBytes with ERR_BODY_TOO_LARGE, cancels it and sends nothing', async () => {
      let cancelled = false;
      const chunks = chunksOf(randomBytes(1025), 256);
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      });

      const error = await rejection(signedFetch({ maxBufferedBodyBytes: 1024 })('/stream', { method: 'POST', body: stream }));

      expect(error).toBeInstanceOf(SignetError);
      expect(error).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' });
      expect(cancelled).toBe(true);
      expect(wire.hits()).toBe(0);
    });

    it('refuses a 64 KiB web ReadableStream over a 1 KiB limit with ERR_BODY_TOO_LARGE and sends nothing', async () => {
      const error = await rejection(signedFetch({ maxBufferedBodyBytes: 1024 })('/stream', { method: 'POST', body: webStream(chunksOf(randomBinary, 4096)) }));

      expect(error).toBeInstanceOf(SignetError);
      expect(error).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' });
      expect(wire.hits()).toBe(0);
    });

    it('refuses a web ReadableStream of strings with ERR_UNSUPPORTED_BODY and sends nothing', async () => {
      const strings = new ReadableStream<string>({
        start(controller) {
          controller.enqueue('not bytes');
          controller.close();
        },
      });

      const error = await rejection(signedFetch()('/stream', { method: 'POST', body: strings as unknown as ReadableStream<Uint8Array> }));

      expect(error).toBeInstanceOf(SignetError);
      expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED_BODY' });
      expect(wire.hits()).toBe(0);
    });
  });

  describe('empty bodies', () => {
    for (const { title, body, methods } of emptyBodies) {
      for (const method of methods) {
        it(`signs a ${method} with ${title} as body over the hash of "{}" and sends no bytes`, async () => {
          const init: SignedRequestInit = { method };
          const value = body();
          if (value !== undefined) init.body = value;

          const arrival = await onlyArrival(wire, await signedFetch()('/empty', init));

          expect(arrival.method).toBe(method);
          expect(arrival.body).toHaveLength(0);
          expect(arrival.claims['bodyHash']).toBe(EMPTY_BODY_HASH);
        });
      }
    }

    it('refuses a GET with a body, as fetch does, and sends nothing', async () => {
      const error = await rejection(signedFetch()('/empty', { method: 'GET', body: 'x' }));

      expect(error).toBeInstanceOf(TypeError);
      expect(wire.hits()).toBe(0);
    });
  });

  describe('a Request as input', () => {
    it('sends a Request with its own method, headers and body, signed over that body', async () => {
      const request = new Request(`${wire.origin}/v1/rows?sheet=2`, {
        method: 'PUT',
        headers: { 'content-type': 'text/csv', 'x-trace': 'abc-123' },
        body: 'a,b\n1,2\n',
      });

      const arrival = await onlyArrival(wire, await signedFetch()(request));

      expect(arrival.method).toBe('PUT');
      expect(arrival.url).toBe('/v1/rows?sheet=2');
      expect(arrival.headers['content-type']).toBe('text/csv');
      expect(arrival.headers['x-trace']).toBe('abc-123');
      expect(arrival.body.toString('utf8')).toBe('a,b\n1,2\n');
      expect(arrival.claims['bodyHash']).toBe(sha256('a,b\n1,2\n'));
    });

    it('sends a Request with a FormData body under the boundary it was serialized with', async () => {
      const form = new FormData();
      form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
      const request = new Request(`${wire.origin}/upload`, { method: 'POST', body: form });

      const arrival = await onlyArrival(wire, await signedFetch()(request));

      expectDelimitedBy(arrival.body, boundaryOf(arrival), 1);
      const file = (await parseMultipart(arrival)).get('file') as File;
      expect(file.name).toBe('hello.txt');
      expect(await file.text()).toBe('hello');
    });

    it('lets init override the method and body of a Request, as fetch does', async () => {
      const request = new Request(`${wire.origin}/v1/items/7`, { method: 'POST', headers: { 'x-trace': 't' }, body: 'request body' });

      const arrival = await onlyArrival(wire, await signedFetch()(request, { method: 'PATCH', body: { name: 'new' } }));

      expect(arrival.method).toBe('PATCH');
      expect(arrival.headers['x-trace']).toBe('t');
      expect(arrival.headers['content-type']).toBe('application/json');
      expect(arrival.body.toString('utf8')).toBe('{"name":"new"}');
    });

    it('sends a bodiless GET Request signed over the hash of "{}"', async () => {
      const arrival = await onlyArrival(wire, await signedFetch()(new Request(`${wire.origin}/v1/items?page=1`)));

      expect(arrival.method).toBe('GET');
      expect(arrival.url).toBe('/v1/items?page=1');
      expect(arrival.claims['bodyHash']).toBe(EMPTY_BODY_HASH);
    });
  });

  describe('methods', () => {
    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('sends and signs a %s with a body', async (method) => {
      const arrival = await onlyArrival(wire, await signedFetch()('/resource/7?v=1', { method, body: `${method} body ` }));

      expect(arrival.method).toBe(method);
      expect(arrival.url).toBe('/resource/7?v=1');
      expect(arrival.body.toString('utf8')).toBe(`${method} body `);
      expect(arrival.claims['bodyHash']).toBe(sha256(`${method} body `));
    });

    it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])('signs a %s without a body over the hash of "{}"', async (method) => {
      const arrival = await onlyArrival(wire, await signedFetch()('/resource/7', { method }));

      expect(arrival.method).toBe(method);
      expect(arrival.body).toHaveLength(0);
      expect(arrival.claims['bodyHash']).toBe(EMPTY_BODY_HASH);
    });

    it('sends a DELETE with a JSON body and signs that body', async () => {
      const arrival = await onlyArrival(wire, await signedFetch()('/items/7', { method: 'DELETE', body: { reason: 'duplicate', by: 'Zoë' } }));

      expect(arrival.method).toBe('DELETE');
      expect(arrival.headers['content-type']).toBe('application/json');
      expect(arrival.body.toString('utf8')).toBe('{"reason":"duplicate","by":"Zoë"}');
      expect(arrival.claims['bodyHash']).not.toBe(EMPTY_BODY_HASH);
    });

    it('sends a lowercase method name normalized, as fetch does, and signs it', async () => {
      const arrival = await onlyArrival(wire, await signedFetch()('/items/7', { method: 'put', body: 'x' }));

      expect(arrival.method).toBe('PUT');
    });
  });
});
