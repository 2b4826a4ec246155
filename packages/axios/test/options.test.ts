import axios, { type CreateAxiosDefaults } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignetError } from '@signet/core';
import { type SignedAxiosOptions, attachSigner, createSignedAxios } from '@signet/axios';
import { generateTwoCheckoutSignature } from '@signet/axios/providers/2checkout';
import { expectCode, type RecordingServer, rejection, schemesFor, startServer, thrown } from '@signet/test-support';

// In plain JavaScript a misspelled option used to be ignored, and so was a Signet option put in axios's config,
// which axios drops without a word. Each is now ERR_INVALID_OPTION saying what to write instead.

const [scheme] = schemesFor('options');
if (scheme === undefined) throw new Error('no scheme');
const signer = scheme.signer;
const BASE = { baseURL: 'http://127.0.0.1:9/v1' };

function refusal(action: () => unknown): SignetError {
  const error = thrown(action);
  expectCode(error, 'ERR_INVALID_OPTION');
  return error as SignetError;
}

describe('a misspelled Signet option is refused, naming the closest one', () => {
  const typos: Array<[string, Record<string, unknown>, string]> = [
    ['allowedOrigin', { allowedOrigin: ['http://127.0.0.1:9'] }, 'allowedOrigins'],
    ['allowedorigins', { allowedorigins: ['http://127.0.0.1:9'] }, 'allowedOrigins'],
    ['maxBufferedBytes', { maxBufferedBytes: 10 }, 'maxBufferedBodyBytes'],
    ['clockskew', { clockskew: 'auto' }, 'clockSkew'],
    ['clockTolerance', { clockTolerance: 30 }, 'clockSkew'],
    ['maxClockSkew', { maxClockSkew: 30 }, 'maxClockSkewSeconds'],
  ];

  it.each(typos)('createSignedAxios refuses %s', (typo, options, meant) => {
    const { message } = refusal(() => createSignedAxios(signer, BASE, options as SignedAxiosOptions));
    expect(message).toContain(`createSignedAxios has no option "${typo}". Did you mean "${meant}"?`);
  });

  it.each(typos)('attachSigner refuses %s', (typo, options, meant) => {
    const { message } = refusal(() => attachSigner(axios.create(BASE), signer, options));
    expect(message).toContain(`attachSigner has no option "${typo}". Did you mean "${meant}"?`);
  });

  it('an attachSigner refused for a typo leaves the instance unsigned', () => {
    const instance = axios.create(BASE);
    refusal(() => attachSigner(instance, signer, { allowedOrigin: [] } as SignedAxiosOptions));
    expect(() => attachSigner(instance, signer)).not.toThrow();
  });

  it('generateTwoCheckoutSignature refuses a misspelled option', async () => {
    const error = await rejection(generateTwoCheckoutSignature(createSignedAxios(signer, BASE), { merchant: 'M' }, { uri: '/x' } as never));
    expectCode(error, 'ERR_INVALID_OPTION');
    expect((error as SignetError).message).toContain('Did you mean "url"?');
  });
});

describe('options in the wrong argument', () => {
  it.each(['clockSkew', 'allowedOrigins', 'maxBufferedBodyBytes', 'maxClockSkewSeconds'])('a Signet option (%s) in the axios config is refused, saying to pass it in the third argument', (name) => {
    const config = { ...BASE, [name]: name === 'allowedOrigins' ? ['http://127.0.0.1:9'] : name === 'clockSkew' ? 'auto' : 30 } as CreateAxiosDefaults & { baseURL: string };
    const { message } = refusal(() => createSignedAxios(signer, config));
    expect(message).toContain(`${name} is a Signet option, not an axios one: pass it in createSignedAxios's third argument`);
  });

  it("axios's own options in the axios config are accepted as they always were", () => {
    expect(() => createSignedAxios(signer, { ...BASE, timeout: 1000, maxRedirects: 0, headers: { 'X-A': '1' }, validateStatus: () => true })).not.toThrow();
  });

  it('an axios option (baseURL) in the Signet options is refused, saying to pass it in the second argument', () => {
    const { message } = refusal(() => createSignedAxios(signer, undefined, { allowedOrigins: ['http://127.0.0.1:9'], baseURL: 'http://127.0.0.1:9' } as SignedAxiosOptions & { allowedOrigins: string[] }));
    expect(message).toContain("baseURL is an axios option, not a Signet one: pass it in createSignedAxios's second argument");
  });
});

describe('swapped arguments name the function called and the right order', () => {
  it('createSignedAxios(axiosConfig, signer)', () => {
    const { message } = refusal(() => createSignedAxios(BASE as never, signer as never));
    expect(message).toContain('createSignedAxios takes the signer first, then the axios config: createSignedAxios(signer, { baseURL');
  });

  it('attachSigner(signer, instance)', () => {
    const { message } = refusal(() => attachSigner(signer as never, axios.create(BASE) as never));
    expect(message).toContain('attachSigner takes the axios instance first, then the signer: attachSigner(instance, signer, options)');
  });

  it('createSignedAxios(config) without a signer at all', () => {
    const { message } = refusal(() => createSignedAxios(BASE as never, undefined as never));
    expect(message).toContain('createSignedAxios needs a Signer (e.g. from requestSigner()) as its first argument');
  });
});

describe('a relative url without a baseURL, as the README says', () => {
  let api: RecordingServer | undefined;
  afterEach(async () => {
    await api?.close();
  });

  it('is refused with ERR_INVALID_URL before anything is sent; an absolute url to an allowed origin is signed', async () => {
    api = await startServer();
    const signed = createSignedAxios(signer, undefined, { allowedOrigins: [api.origin] });

    expectCode(await rejection(signed.get('/v1/relative')), 'ERR_INVALID_URL');
    expect(api.received).toHaveLength(0);

    await signed.get(`${api.origin}/v1/absolute`);
    scheme.expectSigned(api.received[0]!);
  });
});
