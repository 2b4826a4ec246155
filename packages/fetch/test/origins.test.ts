import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { expectSignedForWire } from '@signet/test-support';
import { API_KEY, type Received, type Wire, keys, onlyArrival, rejection, signer, startOtherListener, verifyingServer } from './support/wires.js';

// Credentials go only to the pinned origins: the API (a @signet/verify server) is pinned, a second listener on
// 127.0.0.1 counts every request and credential that reaches it.

describe('origin pinning', () => {
  let api: Wire;
  let other: Awaited<ReturnType<typeof startOtherListener>>;

  beforeEach(async () => {
    api = await verifyingServer.start();
    other = await startOtherListener();
  });

  afterEach(async () => {
    await Promise.all([api.stop(), other.close()]);
  });

  async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
    const error = await rejection(promise);
    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe(code);
    expect(other.received).toHaveLength(0);
    expect(other.credentials()).toEqual([]);
    expect(api.hits()).toBe(0);
  }

  const otherPort = (): string => new URL(other.origin).port;

  it('refuses an absolute url to another origin with ERR_ORIGIN_NOT_ALLOWED, and that origin receives nothing', async () => {
    await expectRefused(createSignedFetch(signer, { baseURL: `${api.origin}/v1` })(`${other.origin}/steal`), 'ERR_ORIGIN_NOT_ALLOWED');
  });

  it('refuses a protocol-relative url to another host and port', async () => {
    await expectRefused(createSignedFetch(signer, { baseURL: `${api.origin}/v1` })(`//127.0.0.1:${otherPort()}/x`), 'ERR_ORIGIN_NOT_ALLOWED');
  });

  it('refuses a protocol-relative url to another host even with a baseURL without a path', async () => {
    await expectRefused(createSignedFetch(signer, { baseURL: api.origin })(`//localhost:${otherPort()}/x`), 'ERR_ORIGIN_NOT_ALLOWED');
  });

  it('refuses a URL object for another origin', async () => {
    await expectRefused(createSignedFetch(signer, { baseURL: api.origin })(new URL('/x', other.origin)), 'ERR_ORIGIN_NOT_ALLOWED');
  });

  it('refuses a Request for another origin without reading its body', async () => {
    const request = new Request(`${other.origin}/x`, { method: 'POST', body: 'payload' });

    await expectRefused(createSignedFetch(signer, { baseURL: api.origin })(request), 'ERR_ORIGIN_NOT_ALLOWED');
    expect(request.bodyUsed).toBe(false);
  });

  it('refuses the same port under another host name (localhost is not 127.0.0.1)', async () => {
    const localhost = api.origin.replace('127.0.0.1', 'localhost');

    await expectRefused(createSignedFetch(signer, { baseURL: api.origin })(`${localhost}/x`), 'ERR_ORIGIN_NOT_ALLOWED');
  });

  it('refuses the same host and port over https', async () => {
    await expectRefused(createSignedFetch(signer, { baseURL: api.origin })(api.origin.replace('http:', 'https:') + '/x'), 'ERR_ORIGIN_NOT_ALLOWED');
  });

  it('sends a request to an origin listed in allowedOrigins, signed for what arrives there', async () => {
    const signedFetch = createSignedFetch(signer, { baseURL: `${api.origin}/v1`, allowedOrigins: [other.origin] });

    const response = await signedFetch(`${other.origin}/partner/7?x=1`, { method: 'POST', body: { ok: true } });

    expect(response.status).toBe(200);
    expect(api.hits()).toBe(0);
    expect(other.received).toHaveLength(1);
    const received = other.received[0] as Received;
    expect(received.url).toBe('/partner/7?x=1');
    expect(received.body.toString('utf8')).toBe('{"ok":true}');
    expectSignedForWire(received, { publicKey: keys.publicKey, apiKey: API_KEY });
  });

  it('allows a protocol-relative url to an origin listed in allowedOrigins', async () => {
    const signedFetch = createSignedFetch(signer, { baseURL: api.origin, allowedOrigins: [other.origin] });

    expect((await signedFetch(`//127.0.0.1:${otherPort()}/y`)).status).toBe(200);
    expect(other.received).toHaveLength(1);
    expectSignedForWire(other.received[0] as Received, { publicKey: keys.publicKey, apiKey: API_KEY });
  });

  it('still sends to the baseURL origin when allowedOrigins lists others', async () => {
    const signedFetch = createSignedFetch(signer, { baseURL: `${api.origin}/v1`, allowedOrigins: [other.origin] });

    expect((await onlyArrival(api, await signedFetch('/mine'))).url).toBe('/v1/mine');
    expect(other.received).toHaveLength(0);
  });

  it('accepts an allowedOrigins entry given as a URL with a path, by its origin', async () => {
    const signedFetch = createSignedFetch(signer, { allowedOrigins: [`${api.origin}/some/path?q=1`] });

    expect((await onlyArrival(api, await signedFetch(`${api.origin}/elsewhere`))).url).toBe('/elsewhere');
  });

  describe('configuration', () => {
    function thrown(make: () => unknown): unknown {
      try {
        make();
      } catch (error) {
        return error;
      }
      throw new Error('createSignedFetch was expected to throw.');
    }

    it('throws ERR_INVALID_OPTION without a baseURL and without allowedOrigins', () => {
      // @ts-expect-error the signature requires a baseURL or allowedOrigins
      expect(thrown(() => createSignedFetch(signer))).toMatchObject({ name: 'SignetError', code: 'ERR_INVALID_OPTION' });
      // @ts-expect-error the signature requires a baseURL or allowedOrigins
      expect(thrown(() => createSignedFetch(signer, {}))).toBeInstanceOf(SignetError);
    });

    it('throws ERR_INVALID_OPTION with an empty allowedOrigins and no baseURL', () => {
      expect(thrown(() => createSignedFetch(signer, { allowedOrigins: [] }))).toMatchObject({ code: 'ERR_INVALID_OPTION' });
    });

    it.each([
      ['a relative baseURL', { baseURL: '/v1' }],
      ['an ftp: baseURL', { baseURL: 'ftp://127.0.0.1/v1' }],
      ['an allowedOrigins entry that is not a URL', { allowedOrigins: ['127.0.0.1:8080'] }],
      ['an ftp: allowedOrigins entry', { allowedOrigins: ['ftp://127.0.0.1'] }],
      ['allowedOrigins given as a string', { allowedOrigins: 'http://127.0.0.1' as unknown as string[] }],
      ['a fetch that is not a function', { baseURL: 'http://127.0.0.1', fetch: 'fetch' as never }],
      ['a negative maxBufferedBodyBytes', { baseURL: 'http://127.0.0.1', maxBufferedBodyBytes: -1 }],
      ['a NaN maxBufferedBodyBytes', { baseURL: 'http://127.0.0.1', maxBufferedBodyBytes: Number.NaN }],
    ])('throws ERR_INVALID_OPTION for %s', (_title, options) => {
      expect(thrown(() => createSignedFetch(signer, options))).toMatchObject({ name: 'SignetError', code: 'ERR_INVALID_OPTION' });
    });

    it('throws ERR_INVALID_OPTION for something that is not a Signer', () => {
      expect(thrown(() => createSignedFetch({} as never, { baseURL: 'http://127.0.0.1' }))).toMatchObject({ code: 'ERR_INVALID_OPTION' });
    });
  });
});
