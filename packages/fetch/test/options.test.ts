import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { type Wire, onlyArrival, rejection, signer, startOtherListener, verifyingServer, webStream } from './support/wires.js';

// Options are read as own properties only: with Object.prototype polluted (a vulnerable dependency running
// `obj[a][b] = c` on user input), an allowedOrigins, baseURL or fetch the caller never gave must not take effect.
// And a misspelled option, silently ignored in plain JavaScript, is ERR_INVALID_OPTION naming the closest one.

const polluted = new Set<string>();
function pollute(name: string, value: unknown): void {
  polluted.add(name);
  Object.defineProperty(Object.prototype, name, { value, configurable: true, enumerable: false, writable: true });
}

function expectCode(error: unknown, code: string): SignetError {
  expect(error).toBeInstanceOf(SignetError);
  expect((error as SignetError).code).toBe(code);
  return error as SignetError;
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('The call was expected to throw.');
}

describe('inherited options never take effect', () => {
  let api: Wire;
  let other: Awaited<ReturnType<typeof startOtherListener>>;

  beforeEach(async () => {
    api = await verifyingServer.start((url) => (url.startsWith('/redirect') ? { status: 302, headers: { location: `${other.origin}/landing` } } : undefined));
    other = await startOtherListener();
  });

  afterEach(async () => {
    for (const name of polluted) delete (Object.prototype as Record<string, unknown>)[name];
    polluted.clear();
    await Promise.all([api.stop(), other.close()]);
  });

  function expectOtherUntouched(): void {
    expect(other.credentials()).toEqual([]);
    expect(other.received).toHaveLength(0);
  }

  it('Object.prototype.allowedOrigins = [other]: a request to other is still refused with ERR_ORIGIN_NOT_ALLOWED, and other receives no credentials', async () => {
    pollute('allowedOrigins', [other.origin]);
    const signedFetch = createSignedFetch(signer, { baseURL: api.origin });

    expectCode(await rejection(signedFetch(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

    expectOtherUntouched();
  });

  it('Object.prototype.baseURL = other: neither a relative nor an absolute url reaches other', async () => {
    pollute('baseURL', other.origin);
    const signedFetch = createSignedFetch(signer, { allowedOrigins: [api.origin] });

    expectCode(await rejection(signedFetch('/steal')), 'ERR_INVALID_URL');
    expectCode(await rejection(signedFetch(`${other.origin}/steal`)), 'ERR_ORIGIN_NOT_ALLOWED');

    expectOtherUntouched();
  });

  it('Object.prototype.fetch = a stealer: the stealer never sees a request, which goes out through the platform fetch', async () => {
    const stolen: unknown[] = [];
    pollute('fetch', async (...args: unknown[]) => {
      stolen.push(args);
      return new Response('stolen');
    });

    const response = await createSignedFetch(signer, { baseURL: api.origin })('/v1/own');

    await onlyArrival(api, response);
    expect(stolen).toEqual([]);
  });

  it('Object.prototype.maxBufferedBodyBytes = 0 does not refuse a stream body', async () => {
    pollute('maxBufferedBodyBytes', 0);
    const body = webStream([new TextEncoder().encode('streamed bytes')]);

    const response = await createSignedFetch(signer, { baseURL: api.origin })('/v1/upload', { method: 'POST', body });

    expect((await onlyArrival(api, response)).body.toString()).toBe('streamed bytes');
  });

  it("a per-request Object.prototype.redirect = 'manual' does not hand a redirect back: it is still ERR_REDIRECT_REFUSED, and other receives nothing", async () => {
    pollute('redirect', 'manual');

    expectCode(await rejection(createSignedFetch(signer, { baseURL: api.origin })('/redirect')), 'ERR_REDIRECT_REFUSED');

    expectOtherUntouched();
  });
});

describe('misspelled and misplaced options', () => {
  const typos: Array<[string, Record<string, unknown>, string]> = [
    ['allowedOrigin', { allowedOrigin: ['http://127.0.0.1:9'] }, 'allowedOrigins'],
    ['baseUrl', { baseUrl: 'http://127.0.0.1:9' }, 'baseURL'],
    ['maxBufferedBytes', { baseURL: 'http://127.0.0.1:9', maxBufferedBytes: 10 }, 'maxBufferedBodyBytes'],
    ['origins', { origins: ['http://127.0.0.1:9'] }, 'allowedOrigins'],
  ];

  it.each(typos)('%s is ERR_INVALID_OPTION naming the option meant', (typo, options, meant) => {
    const error = expectCode(
      thrown(() => createSignedFetch(signer, options as never)),
      'ERR_INVALID_OPTION',
    );
    expect(error.message).toContain(`createSignedFetch has no option "${typo}". Did you mean "${meant}"?`);
  });

  it('createSignedFetch(options, signer) names the function and the right order', () => {
    const error = expectCode(
      thrown(() => createSignedFetch({ baseURL: 'http://127.0.0.1:9' } as never, signer as never)),
      'ERR_INVALID_OPTION',
    );
    expect(error.message).toContain("createSignedFetch takes the signer first, then the options: createSignedFetch(signer, { baseURL: 'https://api.example.com/v1' })");
  });

  it('options that are not an object say what they must hold', () => {
    const error = expectCode(
      thrown(() => createSignedFetch(signer, 'http://127.0.0.1:9' as never)),
      'ERR_INVALID_OPTION',
    );
    expect(error.message).toContain('createSignedFetch needs an options object with a baseURL or allowedOrigins');
  });
});
