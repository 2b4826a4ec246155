import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { type Arrival, type Wire, rejection, signer, startOtherListener, wireKinds } from './support/wires.js';

// The API answers /redirect/<status>/<other|same> with that redirect: to a second local listener, which counts what
// reaches it, or to /landing on the API itself. A signed request never follows either.

const STATUSES = [301, 302, 303, 307, 308] as const;
const TARGETS = ['other', 'same'] as const;

describe.each(wireKinds)('redirects answered by $name', (kind) => {
  let api: Wire;
  let other: Awaited<ReturnType<typeof startOtherListener>>;

  beforeEach(async () => {
    other = await startOtherListener();
    api = await kind.start((url) => {
      const match = /^\/redirect\/(\d{3})\/(other|same)/.exec(url);
      if (match === null) return undefined;
      return { status: Number(match[1]), headers: { location: match[2] === 'other' ? `${other.origin}/landing` : '/landing' } };
    });
  });

  afterEach(async () => {
    await Promise.all([api.stop(), other.close()]);
  });

  /** The API received exactly the one request, signed for it; nothing went anywhere else. */
  function expectNothingFollowed(path: string): void {
    expect(api.hits()).toBe(1);
    const arrivals = api.arrivals();
    expect(arrivals).toHaveLength(1);
    expect((arrivals[0] as Arrival).url).toBe(path);
    expect(other.received).toHaveLength(0);
  }

  for (const status of STATUSES) {
    for (const target of TARGETS) {
      it(`rejects a ${status} to the ${target === 'other' ? 'other listener' : 'same origin'} with ERR_REDIRECT_REFUSED and follows nothing`, async () => {
        const path = `/redirect/${status}/${target}`;

        const error = await rejection(createSignedFetch(signer, { baseURL: api.origin })(path));

        expect(error).toBeInstanceOf(SignetError);
        expect(error).toMatchObject({ code: 'ERR_REDIRECT_REFUSED' });
        expectNothingFollowed(path);
      });
    }
  }

  it('rejects a 307 answering a POST with a body, without resending the body anywhere', async () => {
    const error = await rejection(createSignedFetch(signer, { baseURL: api.origin })('/redirect/307/other', { method: 'POST', body: { amount: 1 } }));

    expect(error).toMatchObject({ code: 'ERR_REDIRECT_REFUSED' });
    expectNothingFollowed('/redirect/307/other');
  });

  it('rejects a redirect to an origin in allowedOrigins too: redirects are never followed with credentials', async () => {
    const signedFetch = createSignedFetch(signer, { baseURL: api.origin, allowedOrigins: [other.origin] });

    const error = await rejection(signedFetch('/redirect/302/other'));

    expect(error).toMatchObject({ code: 'ERR_REDIRECT_REFUSED' });
    expectNothingFollowed('/redirect/302/other');
  });

  it("rejects a redirect even when the caller asks for redirect: 'follow'", async () => {
    const error = await rejection(createSignedFetch(signer, { baseURL: api.origin })('/redirect/302/other', { redirect: 'follow' }));

    expect(error).toMatchObject({ code: 'ERR_REDIRECT_REFUSED' });
    expectNothingFollowed('/redirect/302/other');
  });

  it.each([302, 307])("returns the %d Response with its Location to a caller who passed redirect: 'manual', and follows nothing", async (status) => {
    const path = `/redirect/${status}/other`;

    const response = await createSignedFetch(signer, { baseURL: api.origin })(path, { redirect: 'manual' });

    expect(response.status).toBe(status);
    expect(response.headers.get('location')).toBe(`${other.origin}/landing`);
    expectNothingFollowed(path);
  });

  it("returns a same-origin 302 to a caller who passed redirect: 'manual', and follows nothing", async () => {
    const response = await createSignedFetch(signer, { baseURL: api.origin })('/redirect/302/same', { method: 'POST', body: 'x', redirect: 'manual' });

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/landing');
    expectNothingFollowed('/redirect/302/same');
  });

  it("returns the 3xx Response for a Request made with redirect: 'manual', as fetch does, and follows nothing", async () => {
    const request = new Request(`${api.origin}/redirect/302/other`, { redirect: 'manual' });

    const response = await createSignedFetch(signer, { baseURL: api.origin })(request);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${other.origin}/landing`);
    expectNothingFollowed('/redirect/302/other');
  });

  it('rejects a redirect answering a Request that did not ask for manual redirects', async () => {
    const error = await rejection(createSignedFetch(signer, { baseURL: api.origin })(new Request(`${api.origin}/redirect/308/same`)));

    expect(error).toMatchObject({ code: 'ERR_REDIRECT_REFUSED' });
    expectNothingFollowed('/redirect/308/same');
  });
});
