import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignetError, type Signer, requestSigner } from '@signet/core';
import { type FetchLike, createSignedFetch } from '@signet/fetch';
import { type Wire, keys, onlyArrival, recordingServer, rejection, signer, verifyingServer } from './support/wires.js';

const realFetch = globalThis.fetch;

describe('the fetch that sends', () => {
  let wire: Wire;

  beforeEach(async () => {
    wire = await verifyingServer.start();
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await wire.stop();
  });

  it('uses the fetch option, with an absolute URL string and an init carrying the signed headers and the exact body', async () => {
    const calls: { input: unknown; init: RequestInit | undefined }[] = [];
    const counting: FetchLike = (input, init) => {
      calls.push({ input, init });
      return realFetch(input, init);
    };
    const global = vi.spyOn(globalThis, 'fetch');

    const response = await createSignedFetch(signer, { baseURL: `${wire.origin}/v1`, fetch: counting })('/pay?dry=1#x', {
      method: 'POST',
      body: { amount: 1250 },
      headers: { 'x-request-id': 'r-1' },
    });

    const arrival = await onlyArrival(wire, response);
    expect(global).not.toHaveBeenCalled();
    expect(calls).toHaveLength(1);
    const { input, init } = calls[0] as { input: unknown; init: RequestInit };
    expect(input).toBe(`${wire.origin}/v1/pay?dry=1`);
    expect(init.method).toBe('POST');
    expect(init.redirect).toBe('manual');
    const headers = new Headers(init.headers);
    expect(headers.get('authorization')).toBe(arrival.headers['authorization']);
    expect(headers.get('authorization')).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('x-request-id')).toBe('r-1');
    expect(Buffer.from(init.body as Uint8Array).toString('utf8')).toBe('{"amount":1250}');
    expect(arrival.body.toString('utf8')).toBe('{"amount":1250}');
  });

  it('passes redirect: manual to the fetch option even when the caller asks to follow', async () => {
    const seen: (RequestRedirect | undefined)[] = [];
    const recording: FetchLike = (input, init) => {
      seen.push(init?.redirect);
      return realFetch(input, init);
    };

    await onlyArrival(wire, await createSignedFetch(signer, { baseURL: wire.origin, fetch: recording })('/x', { redirect: 'follow' }));

    expect(seen).toEqual(['manual']);
  });

  it('uses globalThis.fetch when no fetch option is given', async () => {
    const global = vi.spyOn(globalThis, 'fetch');

    const signedFetch = createSignedFetch(signer, { baseURL: wire.origin });
    await onlyArrival(wire, await signedFetch('/global?x=1'));

    expect(global).toHaveBeenCalledTimes(1);
    expect(global.mock.calls[0]?.[0]).toBe(`${wire.origin}/global?x=1`);
  });

  it('returns the Response of the fetch option as it is', async () => {
    const canned = new Response('{"canned":true}', { status: 201, headers: { 'content-type': 'application/json' } });
    const fake: FetchLike = async () => canned;

    const response = await createSignedFetch(signer, { baseURL: wire.origin, fetch: fake })('/anything', { method: 'POST', body: 'x' });

    expect(response).toBe(canned);
    expect(wire.hits()).toBe(0);
  });

  it('replaces an Authorization header set by the caller with the signature', async () => {
    const response = await createSignedFetch(signer, { baseURL: wire.origin })('/x', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });

    const arrival = await onlyArrival(wire, response);
    expect(arrival.headers['authorization']).toMatch(/^Bearer /);
  });

  it('sets every header the signer returns', async () => {
    const withApiKey = requestSigner({ apiKey: 'fetch-test-key', privateKey: keys.privateKey, apiKeyHeader: 'X-API-Key' });

    const arrival = await onlyArrival(wire, await createSignedFetch(withApiKey, { baseURL: wire.origin })('/x'));

    expect(arrival.headers['x-api-key']).toBe('fetch-test-key');
  });

  it('signs once per call: two calls carry two tokens for their own paths', async () => {
    const signedFetch = createSignedFetch(signer, { baseURL: wire.origin });

    expect((await signedFetch('/first')).status).toBe(200);
    expect((await signedFetch('/second?n=2')).status).toBe(200);

    expect(wire.arrivals().map((arrival) => arrival.claims['uri'])).toEqual(['/first', '/second?n=2']);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const error = await rejection(createSignedFetch(signer, { baseURL: wire.origin })('/x', { method: 'POST', body: 'x', signal: AbortSignal.abort() }));

    expect(error).toBeInstanceOf(Error);
    expect(wire.hits()).toBe(0);
  });
});

describe('header injection', () => {
  let wire: Wire;

  beforeEach(async () => {
    wire = await recordingServer.start();
  });

  afterEach(async () => {
    await wire.stop();
  });

  function returning(headers: Record<string, string>): Signer & { calls: number } {
    const fixed = {
      calls: 0,
      async sign() {
        fixed.calls += 1;
        return headers;
      },
    };
    return fixed;
  }

  it.each([
    ['a CR LF in a value', { Authorization: 'Bearer abc\r\nX-Injected: 1' }],
    ['a lone LF in a value', { Authorization: 'Bearer abc\nX-Injected: 1' }],
    ['a lone CR in a value', { Authorization: 'Bearer abc\rX-Injected: 1' }],
    ['a NUL in a value', { Authorization: 'Bearer abc\0' }],
    ['a header name with a space', { 'X Bad': 'value' }],
    ['a header name with a colon', { 'X-Bad:': 'value' }],
    ['a header name with CR LF', { 'X-A\r\nX-Injected': 'value' }],
  ])('refuses a signer header with %s with ERR_INVALID_REQUEST, and sends nothing', async (_title, headers) => {
    const injecting = returning(headers);

    const error = await rejection(createSignedFetch(injecting, { baseURL: wire.origin })('/x', { method: 'POST', body: 'x' }));

    expect(error).toBeInstanceOf(SignetError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_REQUEST' });
    expect(injecting.calls).toBe(1);
    expect(wire.hits()).toBe(0);
  });
});
