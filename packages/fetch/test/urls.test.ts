import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { type Wire, onlyArrival, rejection, signer, wireKinds } from './support/wires.js';

interface UrlCase {
  title: string;
  /** The path part of baseURL, appended to the server's origin. */
  basePath: string;
  /** What is passed to the signed fetch, relative to baseURL. */
  input: string;
  /** The request-target the server must see, written out by hand. */
  expected: string;
}

const urlCases: UrlCase[] = [
  {
    title: 'a baseURL prefix without a trailing slash joins a url with a leading slash',
    basePath: '/v1',
    input: '/users/42?active=true',
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a baseURL prefix with a trailing slash joins a url with a leading slash',
    basePath: '/v1/',
    input: '/users/42?active=true',
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a baseURL prefix without a trailing slash joins a url without a leading slash',
    basePath: '/v1',
    input: 'users/42?active=true',
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a baseURL prefix with a trailing slash joins a url without a leading slash',
    basePath: '/v1/',
    input: 'users/42?active=true',
    expected: '/v1/users/42?active=true',
  },
  {
    title: 'a two-segment baseURL prefix is kept whole',
    basePath: '/api/v2',
    input: '/users',
    expected: '/api/v2/users',
  },
  {
    title: 'a baseURL without a path joins a url without a leading slash at the root',
    basePath: '',
    input: 'users/42',
    expected: '/users/42',
  },
  {
    title: 'a query with several parameters is kept in its order',
    basePath: '/v1',
    input: '/users?sort=name&dir=asc&page=2',
    expected: '/v1/users?sort=name&dir=asc&page=2',
  },
  {
    title: 'percent-encoded reserved characters in the query are sent as they are',
    basePath: '/v1',
    input: '/search?q=a%26b%3Dc%3Fd%2Fe%23f%2Bg+h%25i:j$k,l',
    expected: '/v1/search?q=a%26b%3Dc%3Fd%2Fe%23f%2Bg+h%25i:j$k,l',
  },
  {
    title: 'repeated query keys are all sent',
    basePath: '/v1',
    input: '/items?id=1&id=2&id=3',
    expected: '/v1/items?id=1&id=2&id=3',
  },
  {
    title: 'an empty query value and a key without = are kept',
    basePath: '/v1',
    input: '/items?a=&b',
    expected: '/v1/items?a=&b',
  },
  {
    title: 'non-ASCII path segments are sent percent-encoded, and signed so',
    basePath: '/v1',
    input: '/café/menü/😀',
    expected: '/v1/caf%C3%A9/men%C3%BC/%F0%9F%98%80',
  },
  {
    title: 'an already percent-encoded path is sent as it is, not encoded twice',
    basePath: '/v1',
    input: '/files/a%2Fb/c%20d/caf%C3%A9',
    expected: '/v1/files/a%2Fb/c%20d/caf%C3%A9',
  },
  {
    title: 'a space in the path is sent as %20',
    basePath: '/v1',
    input: '/docs/my file.txt',
    expected: '/v1/docs/my%20file.txt',
  },
  {
    title: 'spaces and non-ASCII written in the query are sent percent-encoded',
    basePath: '/v1',
    input: '/search?q=a b&city=Zürich',
    expected: '/v1/search?q=a%20b&city=Z%C3%BCrich',
  },
  {
    title: 'an apostrophe in the query is sent as %27, as the URL standard encodes it for http',
    basePath: '/v1',
    input: "/search?q=o'brien",
    expected: '/v1/search?q=o%27brien',
  },
  {
    title: 'dot segments are resolved before sending',
    basePath: '',
    input: '/v1/a/../b/./c',
    expected: '/v1/b/c',
  },
  {
    title: 'a fragment is neither sent nor signed',
    basePath: '/v1',
    input: '/page?a=1#section',
    expected: '/v1/page?a=1',
  },
  {
    title: 'a fragment right after the path is neither sent nor signed',
    basePath: '/v1',
    input: '/page#top',
    expected: '/v1/page',
  },
  {
    title: 'an empty url requests the baseURL itself',
    basePath: '/v1',
    input: '',
    expected: '/v1',
  },
  {
    title: 'an empty url keeps the trailing slash of the baseURL',
    basePath: '/v1/',
    input: '',
    expected: '/v1/',
  },
  {
    title: 'a query-only url is sent below the baseURL path',
    basePath: '/v1',
    input: '?page=1',
    expected: '/v1/?page=1',
  },
];

describe.each(wireKinds)('URLs received by $name', (kind) => {
  let wire: Wire;

  beforeEach(async () => {
    wire = await kind.start();
  });

  afterEach(async () => {
    await wire.stop();
  });

  for (const { title, basePath, input, expected } of urlCases) {
    it(title, async () => {
      const response = await createSignedFetch(signer, { baseURL: wire.origin + basePath })(input);

      const arrival = await onlyArrival(wire, response);
      expect(arrival.method).toBe('GET');
      expect(arrival.url).toBe(expected);
      expect(arrival.claims['uri']).toBe(expected);
    });
  }

  it('an absolute url to the pinned origin is sent as it is, outside the baseURL path', async () => {
    const response = await createSignedFetch(signer, { baseURL: `${wire.origin}/v1` })(`${wire.origin}/other/7?x=1`);

    expect((await onlyArrival(wire, response)).url).toBe('/other/7?x=1');
  });

  it('an absolute url to an allowed origin is sent without any baseURL', async () => {
    const response = await createSignedFetch(signer, { allowedOrigins: [wire.origin] })(`${wire.origin}/v1/users?id=3`);

    expect((await onlyArrival(wire, response)).url).toBe('/v1/users?id=3');
  });

  it('an absolute url with a fragment is sent and signed without it', async () => {
    const response = await createSignedFetch(signer, { allowedOrigins: [wire.origin] })(`${wire.origin}/doc?v=2#part-3`);

    expect((await onlyArrival(wire, response)).url).toBe('/doc?v=2');
  });

  it('a URL object is sent with its path and query, percent-encoded', async () => {
    const url = new URL('/v1/café?q=a b', wire.origin);

    const response = await createSignedFetch(signer, { baseURL: `${wire.origin}/unused` })(url);

    expect((await onlyArrival(wire, response)).url).toBe('/v1/caf%C3%A9?q=a%20b');
  });

  it('a URL object with a fragment is sent and signed without it, and is left unchanged', async () => {
    const url = new URL(`${wire.origin}/v1/page?x=1#frag`);

    const response = await createSignedFetch(signer, { allowedOrigins: [wire.origin] })(url);

    expect((await onlyArrival(wire, response)).url).toBe('/v1/page?x=1');
    expect(url.hash).toBe('#frag');
  });

  it('the origin of baseURL is matched whatever the case of its host and scheme', async () => {
    const response = await createSignedFetch(signer, { baseURL: `${wire.origin.toUpperCase()}/v1` })('/x');

    expect((await onlyArrival(wire, response)).url).toBe('/v1/x');
  });

  it.each(['GET', 'DELETE', 'HEAD', 'OPTIONS'])('a %s request without a body is signed over the path and query it is sent to', async (method) => {
    const response = await createSignedFetch(signer, { baseURL: `${wire.origin}/v1` })('/things/1?v=2', { method });

    const arrival = await onlyArrival(wire, response);
    expect(arrival.method).toBe(method);
    expect(arrival.url).toBe('/v1/things/1?v=2');
    expect(arrival.body.byteLength).toBe(0);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('a %s request with a JSON body is signed over its path, query and bytes', async (method) => {
    const response = await createSignedFetch(signer, { baseURL: `${wire.origin}/v1` })('/things/1?v=2', { method, body: { name: 'ann', n: 1 } });

    const arrival = await onlyArrival(wire, response);
    expect(arrival.method).toBe(method);
    expect(arrival.url).toBe('/v1/things/1?v=2');
    expect(arrival.body.toString('utf8')).toBe('{"name":"ann","n":1}');
    expect(arrival.headers['content-type']).toBe('application/json');
  });

  describe('refusals', () => {
    async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(SignetError);
      expect((error as SignetError).code).toBe(code);
      expect(wire.hits()).toBe(0);
    }

    it('a relative url without a baseURL is refused with ERR_INVALID_URL', async () => {
      await expectRefused(createSignedFetch(signer, { allowedOrigins: [wire.origin] })('/v1/users'), 'ERR_INVALID_URL');
    });

    it('a relative url without a leading slash and without a baseURL is refused with ERR_INVALID_URL', async () => {
      await expectRefused(createSignedFetch(signer, { allowedOrigins: [wire.origin] })('v1/users'), 'ERR_INVALID_URL');
    });

    it('an ftp: url is refused with ERR_INVALID_URL', async () => {
      await expectRefused(createSignedFetch(signer, { baseURL: `${wire.origin}/v1` })('ftp://127.0.0.1/x'), 'ERR_INVALID_URL');
    });

    it('a data: url is refused with ERR_INVALID_URL', async () => {
      await expectRefused(createSignedFetch(signer, { allowedOrigins: [wire.origin] })('data:text/plain,hello'), 'ERR_INVALID_URL');
    });

    it('a file: URL object is refused with ERR_INVALID_URL', async () => {
      await expectRefused(createSignedFetch(signer, { baseURL: wire.origin })(new URL('file:///etc/passwd')), 'ERR_INVALID_URL');
    });

    it('user:password@ in the url is refused and nothing is sent', async () => {
      const withCredentials = wire.origin.replace('://', '://user:pass@');

      const error = await rejection(createSignedFetch(signer, { baseURL: wire.origin })(`${withCredentials}/v1/users`));

      expect(error).toBeInstanceOf(Error);
      expect(wire.hits()).toBe(0);
    });
  });
});
