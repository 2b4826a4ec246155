import type { AxiosRequestConfig, CreateAxiosDefaults } from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { type SignedAxiosOptions, createSignedAxios } from '../src/index.js';
import { expectSignedForWire, interceptWithNock, type Received, startServer, testKeys } from '@signet/test-support';

const apiKey = 'key-urls-test';
const keys = testKeys().rsa;
const signer = requestSigner({ apiKey, privateKey: keys.privateKeyPem });
const verify = { publicKey: keys.publicKey, apiKey };

interface Wire {
  origin: string;
  received: Received[];
  stop(): Promise<void>;
}

const transports: { name: string; start(): Promise<Wire> }[] = [
  {
    name: 'a real node:http server',
    start: async () => {
      const server = await startServer();
      return { origin: server.origin, received: server.received, stop: () => server.close() };
    },
  },
  {
    name: 'nock',
    start: async () => {
      const origin = 'http://signet.test';
      const intercepted = interceptWithNock(origin);
      return { origin, received: intercepted.received, stop: async () => intercepted.done() };
    },
  },
];

interface UrlCase {
  title: string;
  /** The path part of baseURL, appended to the transport's origin. */
  basePath: string;
  request: AxiosRequestConfig;
  /** The request-target the server must see, written out by hand. */
  expected: string;
}

const urlCases: UrlCase[] = [
  {
    title: 'a baseURL prefix without a trailing slash joins a url with a leading slash',
    basePath: '/v1',
    request: { url: '/users/42', params: { active: true } },
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a baseURL prefix with a trailing slash joins a url with a leading slash',
    basePath: '/v1/',
    request: { url: '/users/42', params: { active: true } },
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a baseURL prefix without a trailing slash joins a url without a leading slash',
    basePath: '/v1',
    request: { url: 'users/42', params: { active: true } },
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a baseURL prefix with a trailing slash joins a url without a leading slash',
    basePath: '/v1/',
    request: { url: 'users/42', params: { active: true } },
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a query written in the url is kept and params are appended after it',
    basePath: '/v1',
    request: { url: '/users?sort=name&dir=asc', params: { page: 2 } },
    expected: '/v1/users?sort=name&dir=asc&page=2',
  },
  {
    title: 'array params are sent as repeated bracketed keys',
    basePath: '/v1',
    request: { url: '/items', params: { ids: [1, 2, 3] } },
    expected: '/v1/items?ids%5B%5D=1&ids%5B%5D=2&ids%5B%5D=3',
  },
  {
    title: 'nested object params are sent with bracketed keys',
    basePath: '/v1',
    request: { url: '/items', params: { filter: { name: 'ann', age: 30 }, a: { b: { c: 1 } } } },
    expected: '/v1/items?filter%5Bname%5D=ann&filter%5Bage%5D=30&a%5Bb%5D%5Bc%5D=1',
  },
  {
    title: 'a Date param is sent as its ISO string',
    basePath: '/v1',
    request: { url: '/events', params: { since: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) } },
    expected: '/v1/events?since=2024-01-02T03:04:05.000Z',
  },
  {
    title: 'null and undefined params are skipped, also inside arrays',
    basePath: '/v1',
    request: { url: '/items', params: { a: 1, b: null, c: undefined, d: 'x', e: [null, 7, undefined] } },
    expected: '/v1/items?a=1&d=x&e%5B%5D=7',
  },
  {
    title: 'boolean params are sent as true and false',
    basePath: '/v1',
    request: { url: '/users', params: { active: true, deleted: false } },
    expected: '/v1/users?active=true&deleted=false',
  },
  {
    title: 'reserved characters in a param value are percent-encoded as axios encodes them',
    basePath: '/v1',
    request: { url: '/search', params: { q: 'a&b=c?d/e#f+g h%i:j$k,l' } },
    expected: '/v1/search?q=a%26b%3Dc%3Fd%2Fe%23f%2Bg+h%25i:j$k,l',
  },
  {
    title: 'non-ASCII and emoji params are sent as percent-encoded UTF-8',
    basePath: '/v1',
    request: { url: '/search', params: { name: 'café', mood: '😀', clé: 'Zürich' } },
    expected: '/v1/search?name=caf%C3%A9&mood=%F0%9F%98%80&cl%C3%A9=Z%C3%BCrich',
  },
  {
    title: 'a paramsSerializer function decides the query',
    basePath: '/v1',
    request: {
      url: '/list',
      params: { b: 2, a: 1 },
      paramsSerializer: (params: Record<string, unknown>) =>
        Object.keys(params)
          .sort()
          .map((key) => `${key}=${String(params[key])}`)
          .join(';'),
    },
    expected: '/v1/list?a=1;b=2',
  },
  {
    title: 'a paramsSerializer given as { serialize } decides the query',
    basePath: '/v1',
    request: {
      url: '/list',
      params: { b: 2, a: 1 },
      paramsSerializer: { serialize: (params: Record<string, unknown>) => `keys=${Object.keys(params).join(',')}` },
    },
    expected: '/v1/list?keys=b,a',
  },
  {
    title: 'a paramsSerializer given as { encode } encodes every key and value',
    basePath: '/v1',
    request: { url: '/search', params: { q: 'a b:c', 'k k': 'v' }, paramsSerializer: { encode: (value: string) => encodeURIComponent(value) } },
    expected: '/v1/search?q=a%20b%3Ac&k%20k=v',
  },
  {
    title: 'a space or non-ASCII returned raw by a paramsSerializer is sent percent-encoded',
    basePath: '/v1',
    request: { url: '/search', params: { q: 'x' }, paramsSerializer: () => 'q=café au lait' },
    expected: '/v1/search?q=caf%C3%A9%20au%20lait',
  },
  {
    title: 'URLSearchParams as params are sent as they serialize',
    basePath: '/v1',
    request: {
      url: '/search',
      params: new URLSearchParams([
        ['q', 'a b'],
        ['tag', 'x&y'],
        ['tag', 'é'],
      ]),
    },
    expected: '/v1/search?q=a+b&tag=x%26y&tag=%C3%A9',
  },
  {
    title: 'non-ASCII path segments are sent percent-encoded',
    basePath: '/v1',
    request: { url: '/café/menü/😀' },
    expected: '/v1/caf%C3%A9/men%C3%BC/%F0%9F%98%80',
  },
  {
    title: 'an already percent-encoded path is sent as it is, not encoded twice',
    basePath: '/v1',
    request: { url: '/files/a%2Fb/c%20d/caf%C3%A9' },
    expected: '/v1/files/a%2Fb/c%20d/caf%C3%A9',
  },
  {
    title: 'a space in the path is sent as %20',
    basePath: '/v1',
    request: { url: '/docs/my file.txt' },
    expected: '/v1/docs/my%20file.txt',
  },
  {
    title: 'spaces and non-ASCII written in the url query are sent percent-encoded',
    basePath: '/v1',
    request: { url: '/search?q=a b&city=Zürich' },
    expected: '/v1/search?q=a%20b&city=Z%C3%BCrich',
  },
  {
    title: 'dot segments are resolved before sending',
    basePath: '',
    request: { url: '/v1/a/../b/./c' },
    expected: '/v1/b/c',
  },
  {
    title: 'a fragment in the url is not sent, and params still are',
    basePath: '/v1',
    request: { url: '/page#section', params: { a: 1 } },
    expected: '/v1/page?a=1',
  },
  {
    // axios treats a url without "//" as relative, so with a baseURL this is a path, not a data: URL.
    title: 'a data:-looking url under a baseURL is a relative path, as axios treats it',
    basePath: '/v1',
    request: { url: 'data:text/plain,hello' },
    expected: '/v1/data:text/plain,hello',
  },
  {
    title: 'an empty url requests the baseURL itself',
    basePath: '/v1',
    request: { url: '' },
    expected: '/v1',
  },
  {
    title: 'no url at all requests the baseURL itself, with params',
    basePath: '/v1',
    request: { params: { page: 1 } },
    expected: '/v1?page=1',
  },
  {
    title: 'an empty url keeps the trailing slash of the baseURL',
    basePath: '/v1/',
    request: { url: '', params: { page: 1 } },
    expected: '/v1/?page=1',
  },
];

describe.each(transports)('URLs on the wire, through $name', (transport) => {
  let wire: Wire;

  beforeEach(async () => {
    wire = await transport.start();
  });

  afterEach(async () => {
    await wire.stop();
  });

  function api(baseURL: string | undefined, defaults: CreateAxiosDefaults = {}, options: SignedAxiosOptions = {}) {
    // Built at run time, so the compiler cannot see that a baseURL or allowedOrigins is always given.
    return createSignedAxios(signer, (baseURL === undefined ? defaults : { baseURL, ...defaults }) as CreateAxiosDefaults & { baseURL: string }, options);
  }

  /** The one request the server received, after checking that its token verifies against exactly it. */
  function onlyReceived(): Received {
    expect(wire.received).toHaveLength(1);
    const received = wire.received[0] as Received;
    expectSignedForWire(received, verify);
    return received;
  }

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('The request was expected to be refused, but it succeeded.');
  }

  for (const { title, basePath, request, expected } of urlCases) {
    it(title, async () => {
      await api(wire.origin + basePath).request({ method: 'GET', ...request });

      const received = onlyReceived();
      expect(received.method).toBe('GET');
      expect(received.url).toBe(expected);
    });
  }

  it('an absolute url to an allowed origin overrides baseURL and keeps its own query', async () => {
    const response = await api('http://unused.invalid/v1', {}, { allowedOrigins: [wire.origin] }).get(`${wire.origin}/other/7?x=1`, { params: { y: 2 } });

    expect(response.status).toBe(200);
    expect(onlyReceived().url).toBe('/other/7?x=1&y=2');
  });

  it.each(['GET', 'DELETE', 'HEAD', 'OPTIONS'])('a %s request without a body is signed over the empty body', async (method) => {
    await api(`${wire.origin}/v1`).request({ method, url: '/things/1', params: { v: 2 } });

    const received = onlyReceived();
    expect(received.method).toBe(method);
    expect(received.url).toBe('/v1/things/1?v=2');
    expect(received.body.byteLength).toBe(0);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('a %s request with a JSON body is signed over its bytes', async (method) => {
    await api(`${wire.origin}/v1`).request({ method, url: '/things/1', params: { v: 2 }, data: { name: 'ann', n: 1 } });

    const received = onlyReceived();
    expect(received.method).toBe(method);
    expect(received.url).toBe('/v1/things/1?v=2');
    expect(received.body.toString('utf8')).toBe('{"name":"ann","n":1}');
    expect(received.headers['content-type']).toMatch(/^application\/json/);
  });

  describe('refusals', () => {
    async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(SignetError);
      expect((error as SignetError).code).toBe(code);
      expect(wire.received).toHaveLength(0);
    }

    it('a relative url without a baseURL is refused with ERR_INVALID_URL', async () => {
      await expectRefused(api(undefined, {}, { allowedOrigins: [wire.origin] }).get('/v1/users'), 'ERR_INVALID_URL');
    });

    it('an ftp: url is refused with ERR_INVALID_URL', async () => {
      await expectRefused(api(`${wire.origin}/v1`).get('ftp://127.0.0.1/x'), 'ERR_INVALID_URL');
    });

    it('a data: url is refused with ERR_INVALID_URL', async () => {
      await expectRefused(api(undefined, {}, { allowedOrigins: [wire.origin] }).get('data:text/plain,hello'), 'ERR_INVALID_URL');
    });

    it('a paramsSerializer that returns a raw "#" is refused with ERR_INVALID_URL', async () => {
      const request = api(`${wire.origin}/v1`).get('/search', { params: { q: 'x' }, paramsSerializer: () => 'q=a#b' });
      await expectRefused(request, 'ERR_INVALID_URL');
    });

    it('HTTP Basic credentials in config.auth are refused with ERR_AUTH_CONFLICT', async () => {
      const request = api(`${wire.origin}/v1`).get('/users', { auth: { username: 'user', password: 'pass' } });
      await expectRefused(request, 'ERR_AUTH_CONFLICT');
    });

    it('user:password@ in the url is refused with ERR_AUTH_CONFLICT', async () => {
      const withCredentials = wire.origin.replace('://', '://user:pass@');
      await expectRefused(api(`${wire.origin}/v1`).get(`${withCredentials}/v1/users`), 'ERR_AUTH_CONFLICT');
    });

    it('user:password@ in the baseURL is refused with ERR_AUTH_CONFLICT', async () => {
      const withCredentials = wire.origin.replace('://', '://user:pass@');
      await expectRefused(api(`${withCredentials}/v1`).get('/users'), 'ERR_AUTH_CONFLICT');
    });
  });
});
