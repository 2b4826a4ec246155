import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import type { Signer } from '@signet/core';
import { type SignedAxiosOptions, attachSigner, createSignedAxios } from '@signet/axios';
import { credentialsIn, expectCode, expectUntouched, type OtherHost, type Received, type RecordingServer, rejection, schemesFor, startOtherHost, startServer, thrown } from '@signet/test-support';

// Origin pinning: a signed instance sends credentials only to its baseURL's origin or to allowedOrigins. Two real
// listeners on 127.0.0.1: the pinned API, and another host that counts every connection, request and credential.

const schemes = schemesFor('origins');

function only(received: Received[]): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function listeners(): Promise<{ api: RecordingServer; apiPort: number; other: OtherHost }> {
  const api = await startServer();
  cleanups.push(() => api.close());
  const other = await startOtherHost();
  cleanups.push(() => other.close());
  return { api, apiPort: Number(new URL(api.origin).port), other };
}

describe.each(schemes)('origin pinning with $name', (scheme) => {
  function signed(config: CreateAxiosDefaults, options?: SignedAxiosOptions): AxiosInstance {
    // Some cases pin by allowedOrigins alone: the compiler cannot see that one of the two is always given.
    return createSignedAxios(scheme.signer, config as CreateAxiosDefaults & { baseURL: string }, options);
  }

  it('a request to the pinned API arrives signed', async () => {
    const { api, other } = await listeners();

    const response = await signed({ baseURL: `${api.origin}/v1` }).post('/payments', { amount: 100 }, { params: { dryRun: 1 } });

    expect(response.status).toBe(200);
    const received = only(api.received);
    expect(received.url).toBe('/v1/payments?dryRun=1');
    scheme.expectSigned(received);
    expectUntouched(other);
  });

  it('an absolute url to another listener is refused with ERR_ORIGIN_NOT_ALLOWED before anything is sent', async () => {
    const { api, other } = await listeners();

    expectCode(await rejection(signed({ baseURL: api.origin }).get(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    expectUntouched(api);
  });

  it.each([true, false])('an absolute url to another listener is refused with allowAbsoluteUrls: %s on the instance', async (allowAbsoluteUrls) => {
    const { api, other } = await listeners();

    expectCode(await rejection(signed({ baseURL: api.origin, allowAbsoluteUrls }).get(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    expectUntouched(api);
  });

  it.each([true, false])('an absolute url to another listener is refused with allowAbsoluteUrls: %s on the request', async (allowAbsoluteUrls) => {
    const { api, other } = await listeners();

    expectCode(await rejection(signed({ baseURL: api.origin }).get(`${other.origin}/steal`, { allowAbsoluteUrls })), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    expectUntouched(api);
  });

  it('a protocol-relative url to another listener is refused with ERR_ORIGIN_NOT_ALLOWED', async () => {
    const { api, other } = await listeners();

    expectCode(await rejection(signed({ baseURL: api.origin }).get(`//127.0.0.1:${other.port}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    expectUntouched(api);
  });

  it('a per-request baseURL pointing at another listener is refused with ERR_ORIGIN_NOT_ALLOWED', async () => {
    const { api, other } = await listeners();

    expectCode(await rejection(signed({ baseURL: api.origin }).get('/steal', { baseURL: other.origin })), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    expectUntouched(api);
  });

  it('a url an interceptor rewrites to another listener is refused with ERR_ORIGIN_NOT_ALLOWED', async () => {
    const { api, other } = await listeners();
    const instance = signed({ baseURL: api.origin });
    instance.interceptors.request.use((config) => {
      config.url = `${other.origin}/steal`;
      return config;
    });

    expectCode(await rejection(instance.get('/payments')), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    expectUntouched(api);
  });

  it('an absolute url to another listener is refused with the fetch adapter too, on the instance or the request', async () => {
    const { api, other } = await listeners();

    expectCode(await rejection(signed({ baseURL: api.origin, adapter: 'fetch' }).get(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');
    expectCode(await rejection(signed({ baseURL: api.origin }).get(`${other.origin}/steal`, { adapter: 'fetch' })), 'ERR_ORIGIN_NOT_ALLOWED');

    expectUntouched(other);
    expectUntouched(api);
  });

  describe('other spellings of the same machine are other origins', () => {
    const spellings: { title: string; url: (apiPort: number, otherPort: number) => string }[] = [
      { title: 'another port', url: (_apiPort, otherPort) => `http://127.0.0.1:${otherPort}/steal` },
      { title: 'an upper-case scheme and another port', url: (_apiPort, otherPort) => `HTTP://127.0.0.1:${otherPort}/steal` },
      { title: 'another scheme on the same host and port', url: (apiPort) => `https://127.0.0.1:${apiPort}/steal` },
      { title: 'localhost for 127.0.0.1 on the same port', url: (apiPort) => `http://localhost:${apiPort}/steal` },
      { title: 'the IPv6 loopback on the same port', url: (apiPort) => `http://[::1]:${apiPort}/steal` },
      { title: 'the pinned host:port as userinfo before another host', url: (apiPort, otherPort) => `http://127.0.0.1:${apiPort}@127.0.0.1:${otherPort}/steal` },
      { title: 'a backslash that hides another host from a naive parser', url: (apiPort, otherPort) => `http://127.0.0.1:${otherPort}\\@127.0.0.1:${apiPort}/steal` },
    ];

    it.each(spellings)('a url with $title is refused with ERR_ORIGIN_NOT_ALLOWED', async ({ url }) => {
      const { api, apiPort, other } = await listeners();

      expectCode(await rejection(signed({ baseURL: api.origin }).get(url(apiPort, other.port))), 'ERR_ORIGIN_NOT_ALLOWED');

      expectUntouched(other);
      expectUntouched(api);
    });

    it('an instance pinned to localhost refuses 127.0.0.1 on the same port, which is where the API listens', async () => {
      const { api, apiPort, other } = await listeners();

      expectCode(await rejection(signed({ baseURL: `http://localhost:${apiPort}` }).get(`${api.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

      expectUntouched(api);
      expectUntouched(other);
    });

    it('an absolute url that only differs from the pinned origin in letter case is the pinned origin and arrives signed', async () => {
      const { api, apiPort, other } = await listeners();

      await signed({ baseURL: api.origin }).get(`HTTP://127.0.0.1:${apiPort}/case`);

      const received = only(api.received);
      expect(received.url).toBe('/case');
      scheme.expectSigned(received);
      expectUntouched(other);
    });
  });

  describe('allowedOrigins', () => {
    it('a listed origin may be requested with an absolute url, and the request arrives signed', async () => {
      const { api, other } = await listeners();
      const instance = signed({ baseURL: api.origin }, { allowedOrigins: [other.origin] });

      const response = await instance.get(`${other.origin}/allowed?x=1`);

      expect(response.data).toEqual({ other: true });
      const received = only(other.received);
      expect(received.url).toBe('/allowed?x=1');
      scheme.expectSigned(received);
      expect(api.received).toHaveLength(0);
    });

    it('the baseURL origin stays allowed beside the listed ones', async () => {
      const { api, other } = await listeners();

      await signed({ baseURL: api.origin }, { allowedOrigins: [other.origin] }).get('/still-pinned');

      scheme.expectSigned(only(api.received));
      expectUntouched(other);
    });

    it('an instance without a baseURL signs requests to its listed origins and refuses every other', async () => {
      const { api, other } = await listeners();
      const instance = signed({}, { allowedOrigins: [api.origin] });

      await instance.get(`${api.origin}/listed`);
      expectCode(await rejection(instance.get(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

      scheme.expectSigned(only(api.received));
      expectUntouched(other);
    });
  });
});

describe('configurations that do not say where credentials may go', () => {
  const signer = schemes[0]?.signer as Signer;

  it('createSignedAxios without baseURL and without allowedOrigins throws ERR_INVALID_OPTION', () => {
    expectCode(
      // @ts-expect-error the signature requires a baseURL or allowedOrigins too
      thrown(() => createSignedAxios(signer)),
      'ERR_INVALID_OPTION',
    );
    expectCode(
      // @ts-expect-error the signature requires a baseURL or allowedOrigins too
      thrown(() => createSignedAxios(signer, { timeout: 1000 }, {})),
      'ERR_INVALID_OPTION',
    );
  });

  it('attachSigner to an instance without baseURL and without allowedOrigins throws ERR_INVALID_OPTION', () => {
    expectCode(
      thrown(() => attachSigner(axios.create(), signer)),
      'ERR_INVALID_OPTION',
    );
  });

  it('a relative baseURL does not pin an origin and throws ERR_INVALID_OPTION', () => {
    expectCode(
      thrown(() => createSignedAxios(signer, { baseURL: '/v1' })),
      'ERR_INVALID_OPTION',
    );
  });

  it('an empty allowedOrigins list without a baseURL throws ERR_INVALID_OPTION', () => {
    expectCode(
      thrown(() => createSignedAxios(signer, {}, { allowedOrigins: [] })),
      'ERR_INVALID_OPTION',
    );
  });

  it('an attachSigner that threw leaves the instance unsigned', async () => {
    const { other } = await listeners();
    const instance = axios.create();
    expectCode(
      thrown(() => attachSigner(instance, signer)),
      'ERR_INVALID_OPTION',
    );

    await instance.get(`${other.origin}/plain`);

    expect(credentialsIn(other.received)).toBe(0);
    expect(other.received).toHaveLength(1);
  });

  it.each(['not a url', '', '127.0.0.1:8080', 'localhost:8080', 'ftp://127.0.0.1:21', 'file:///etc/passwd', 'data:text/plain,x'])(
    'an allowedOrigins entry %j that is not an http(s) URL throws ERR_INVALID_OPTION',
    (entry) => {
      expectCode(
        thrown(() => createSignedAxios(signer, { baseURL: 'http://127.0.0.1:1' }, { allowedOrigins: ['http://127.0.0.1:2', entry] })),
        'ERR_INVALID_OPTION',
      );
      expectCode(
        thrown(() => attachSigner(axios.create({ baseURL: 'http://127.0.0.1:1' }), signer, { allowedOrigins: [entry] })),
        'ERR_INVALID_OPTION',
      );
    },
  );

  it('allowedOrigins that is not a list throws ERR_INVALID_OPTION', () => {
    const notAList = 'http://127.0.0.1:2' as unknown as readonly string[];
    expectCode(
      thrown(() => createSignedAxios(signer, { baseURL: 'http://127.0.0.1:1' }, { allowedOrigins: notAList })),
      'ERR_INVALID_OPTION',
    );
  });
});
