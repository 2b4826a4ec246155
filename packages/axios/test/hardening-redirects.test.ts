import { AxiosError, type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { expectUntouched, type OtherHost, type Received, type RecordingServer, rejection, schemesFor, startOtherHost, startServer } from '@signet/test-support';

// Redirects: Signet never follows one. Any 301/302/303/307/308 with a Location is refused with
// ERR_REDIRECT_REFUSED (same origin included: the token is bound to the path it was signed for), unless the caller
// set maxRedirects: 0, who then gets the 3xx response as axios hands it over without following.

const schemes = schemesFor('redirects');
const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;

function expectRedirectRefused(error: unknown): void {
  expect(error).toBeInstanceOf(SignetError);
  expect((error as SignetError).code).toBe('ERR_REDIRECT_REFUSED');
}

function only(received: Received[]): Received {
  expect(received).toHaveLength(1);
  return received[0] as Received;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

type Location = (other: OtherHost) => string;
const toOtherHost: Location = (other) => `${other.origin}/landing?from=api`;
const toOtherPathAbsolute = (api: RecordingServer): string => `${api.origin}/moved/here`;

/**
 * The pinned API answers `status` with the Location `location` to every request for /start (and 200 elsewhere);
 * the other host is where a cross-origin Location points.
 */
async function listeners(status: number, location: (api: RecordingServer, other: OtherHost) => string | undefined) {
  const other = await startOtherHost();
  cleanups.push(() => other.close());
  // The Location may name the API's own origin, known only once it listens.
  const answer: { location?: string } = {};
  const api = await startServer((received) => {
    if (!received.url.startsWith('/start')) return {};
    return { status, body: { redirected: true }, headers: answer.location === undefined ? {} : { location: answer.location } };
  });
  cleanups.push(() => api.close());
  const target = location(api, other);
  if (target !== undefined) answer.location = target;
  return { api, other };
}

describe.each(schemes)('redirects with $name', (scheme) => {
  function signed(config: CreateAxiosDefaults): AxiosInstance {
    return createSignedAxios(scheme.signer, config as CreateAxiosDefaults & { baseURL: string });
  }

  it.each(REDIRECT_STATUSES)('a %s to another origin is refused with ERR_REDIRECT_REFUSED and the other host receives nothing', async (status) => {
    const { api, other } = await listeners(status, (_api, host) => toOtherHost(host));

    expectRedirectRefused(await rejection(signed({ baseURL: api.origin }).post('/start', { amount: 1 })));

    scheme.expectSigned(only(api.received));
    expectUntouched(other);
  });

  it.each(REDIRECT_STATUSES)('a %s to another path on the same origin is refused, and the API receives only the first request', async (status) => {
    const { api, other } = await listeners(status, (server) => toOtherPathAbsolute(server));

    expectRedirectRefused(await rejection(signed({ baseURL: api.origin }).get('/start')));

    const received = only(api.received);
    expect(received.url).toBe('/start');
    scheme.expectSigned(received);
    expectUntouched(other);
  });

  it('a same-origin 307 with a relative Location is refused and not followed', async () => {
    const { api, other } = await listeners(307, () => '/moved/relative');

    expectRedirectRefused(await rejection(signed({ baseURL: api.origin }).put('/start', { v: 1 })));

    expect(only(api.received).url).toBe('/start');
    expectUntouched(other);
  });

  it('a 302 with a protocol-relative Location to another host is refused and not followed', async () => {
    const { api, other } = await listeners(302, (_api, host) => `//127.0.0.1:${host.port}/landing`);

    expectRedirectRefused(await rejection(signed({ baseURL: api.origin }).get('/start')));

    only(api.received);
    expectUntouched(other);
  });

  it('a caller who sets maxRedirects: 5 still gets ERR_REDIRECT_REFUSED, and beforeRedirect never runs', async () => {
    const { api, other } = await listeners(302, (_api, host) => toOtherHost(host));
    const hops: unknown[] = [];

    const error = await rejection(signed({ baseURL: api.origin, maxRedirects: 5 }).get('/start', { beforeRedirect: (options) => void hops.push(options) }));

    expectRedirectRefused(error);
    expect(hops).toEqual([]);
    only(api.received);
    expectUntouched(other);
  });

  describe('a caller who sets maxRedirects: 0', () => {
    it('gets the AxiosError axios gives for a 302 under the default validateStatus, and nothing is followed', async () => {
      const { api, other } = await listeners(302, (_api, host) => toOtherHost(host));

      const error = await rejection(signed({ baseURL: api.origin, maxRedirects: 0 }).get('/start'));

      expect(error).not.toBeInstanceOf(SignetError);
      expect(error).toBeInstanceOf(AxiosError);
      expect((error as AxiosError).response?.status).toBe(302);
      expect((error as AxiosError).response?.headers['location']).toBe(toOtherHost(other));
      scheme.expectSigned(only(api.received));
      expectUntouched(other);
    });

    it('gets the 302 response itself when validateStatus accepts it, and nothing is followed', async () => {
      const { api, other } = await listeners(302, (_api, host) => toOtherHost(host));

      const response = await signed({ baseURL: api.origin }).get('/start', { maxRedirects: 0, validateStatus: () => true });

      expect(response.status).toBe(302);
      expect(response.headers['location']).toBe(toOtherHost(other));
      expect(response.data).toEqual({ redirected: true });
      scheme.expectSigned(only(api.received));
      expectUntouched(other);
    });

    it('gets a same-origin 307 response without a second request to the API', async () => {
      const { api, other } = await listeners(307, (server) => toOtherPathAbsolute(server));

      const response = await signed({ baseURL: api.origin, maxRedirects: 0, validateStatus: () => true }).get('/start');

      expect(response.status).toBe(307);
      expect(only(api.received).url).toBe('/start');
      expectUntouched(other);
    });
  });

  describe('with the fetch adapter', () => {
    it.each(REDIRECT_STATUSES)('a %s to another origin is refused with ERR_REDIRECT_REFUSED and the other host receives nothing', async (status) => {
      const { api, other } = await listeners(status, (_api, host) => toOtherHost(host));

      expectRedirectRefused(await rejection(signed({ baseURL: api.origin, adapter: 'fetch' }).get('/start')));

      scheme.expectSigned(only(api.received));
      expectUntouched(other);
    });

    it('a same-origin 307 is refused and the API receives only the first request', async () => {
      const { api, other } = await listeners(307, (server) => toOtherPathAbsolute(server));

      expectRedirectRefused(await rejection(signed({ baseURL: api.origin, adapter: 'fetch' }).post('/start', { v: 1 })));

      expect(only(api.received).url).toBe('/start');
      expectUntouched(other);
    });

    it('a 302 under maxRedirects: 0 and an accepting validateStatus is returned, not followed', async () => {
      const { api, other } = await listeners(302, (_api, host) => toOtherHost(host));

      const response = await signed({ baseURL: api.origin, adapter: 'fetch', maxRedirects: 0, validateStatus: () => true }).get('/start');

      expect(response.status).toBe(302);
      expect(response.headers['location']).toBe(toOtherHost(other));
      scheme.expectSigned(only(api.received));
      expectUntouched(other);
    });

    it('a 302 under maxRedirects: 0 and the default validateStatus is an AxiosError with status 302', async () => {
      const { api, other } = await listeners(302, (_api, host) => toOtherHost(host));

      const error = await rejection(signed({ baseURL: api.origin, adapter: 'fetch', maxRedirects: 0 }).get('/start'));

      expect(error).not.toBeInstanceOf(SignetError);
      expect((error as AxiosError).response?.status).toBe(302);
      only(api.received);
      expectUntouched(other);
    });
  });

  describe('304 Not Modified is not a redirect', () => {
    it('a 304, even with a Location header, is returned when validateStatus accepts it', async () => {
      const { api, other } = await listeners(304, (_api, host) => toOtherHost(host));

      const response = await signed({ baseURL: api.origin, validateStatus: (status) => status === 304 }).get('/start', {
        headers: { 'If-None-Match': '"v1"' },
      });

      expect(response.status).toBe(304);
      scheme.expectSigned(only(api.received));
      expectUntouched(other);
    });

    it("a 304 under the default validateStatus is axios's own AxiosError, not ERR_REDIRECT_REFUSED", async () => {
      const { api, other } = await listeners(304, () => undefined);

      const error = await rejection(signed({ baseURL: api.origin }).get('/start'));

      expect(error).not.toBeInstanceOf(SignetError);
      expect(error).toBeInstanceOf(AxiosError);
      expect((error as AxiosError).response?.status).toBe(304);
      only(api.received);
      expectUntouched(other);
    });

    it('a 304 with the fetch adapter is returned when validateStatus accepts it', async () => {
      const { api, other } = await listeners(304, (_api, host) => toOtherHost(host));

      const response = await signed({ baseURL: api.origin, adapter: 'fetch', validateStatus: (status) => status === 304 }).get('/start');

      expect(response.status).toBe(304);
      only(api.received);
      expectUntouched(other);
    });
  });
});
