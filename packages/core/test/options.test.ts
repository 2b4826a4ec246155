import { describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import type { RequestSignerOptions } from '@signet/core';
import { bearerToken, rejectedSignetError, thrownSignetError, verifyToken } from './helpers.js';
import { testKeys } from '@signet/test-support';

const { privateKey, publicKey } = testKeys().rsa;

/** Valid options with `overrides` applied; `undefined` in overrides removes the field. */
function options(overrides: Record<string, unknown>): RequestSignerOptions {
  const merged: Record<string, unknown> = { apiKey: 'options-test-key', privateKey, ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete merged[k];
  return merged as unknown as RequestSignerOptions;
}

describe('requestSigner refuses bad options with ERR_INVALID_OPTION', () => {
  it('refuses a call without options', () => {
    thrownSignetError(() => requestSigner(undefined as unknown as RequestSignerOptions), 'ERR_INVALID_OPTION');
    thrownSignetError(() => requestSigner(null as unknown as RequestSignerOptions), 'ERR_INVALID_OPTION');
  });

  it('refuses options without a privateKey', () => {
    thrownSignetError(() => requestSigner(options({ privateKey: undefined })), 'ERR_INVALID_OPTION');
  });

  const bad: Array<[string, Record<string, unknown>]> = [
    ['a missing apiKey', { apiKey: undefined }],
    ['an empty apiKey', { apiKey: '' }],
    ['an apiKey that is not a string', { apiKey: 12345 }],
    ['an apiKey containing \\r', { apiKey: 'key\rX-Evil: 1' }],
    ['an apiKey containing \\n', { apiKey: 'key\nX-Evil: 1' }],
    ['an apiKey containing \\0', { apiKey: 'key\0' }],
    ['expiresInSeconds 0', { expiresInSeconds: 0 }],
    ['expiresInSeconds -1', { expiresInSeconds: -1 }],
    ['expiresInSeconds 1.5', { expiresInSeconds: 1.5 }],
    ['expiresInSeconds NaN', { expiresInSeconds: Number.NaN }],
    ['expiresInSeconds Infinity', { expiresInSeconds: Number.POSITIVE_INFINITY }],
    ["expiresInSeconds '55'", { expiresInSeconds: '55' }],
    ['emptyBody as a number', { emptyBody: 0 }],
    ['emptyBody as an object', { emptyBody: {} }],
    ['emptyBody as null', { emptyBody: null }],
    ['emptyBody as an ArrayBuffer', { emptyBody: new ArrayBuffer(2) }],
    ['a clock that is not a function', { clock: 1_700_000_000_000 }],
    ['a clock given as a Date', { clock: new Date() }],
    ['nonce as a string', { nonce: 'abc' }],
    ['nonce as a number', { nonce: 1 }],
    ['nonce as null', { nonce: null }],
    ['an apiKeyHeader with a space', { apiKeyHeader: 'X API Key' }],
    ['an apiKeyHeader with CRLF', { apiKeyHeader: 'X-API-Key\r\nX-Evil' }],
    ['an empty apiKeyHeader', { apiKeyHeader: '' }],
    ['an apiKeyHeader that is not a string', { apiKeyHeader: 7 }],
  ];
  it.each(bad)('refuses %s', (_name, overrides) => {
    thrownSignetError(() => requestSigner(options(overrides)), 'ERR_INVALID_OPTION');
  });
});

describe('sign() refuses what a misbehaving option produces', () => {
  it('rejects with ERR_INVALID_OPTION when the clock returns NaN', async () => {
    const signer = requestSigner(options({ clock: () => Number.NaN }));
    await rejectedSignetError(signer.sign({ method: 'GET', url: '/v1/x' }), 'ERR_INVALID_OPTION');
  });

  it('rejects with ERR_INVALID_OPTION when the clock returns Infinity or a string', async () => {
    await rejectedSignetError(requestSigner(options({ clock: () => Number.POSITIVE_INFINITY })).sign({ method: 'GET', url: '/' }), 'ERR_INVALID_OPTION');
    await rejectedSignetError(requestSigner(options({ clock: () => '1700000000000' })).sign({ method: 'GET', url: '/' }), 'ERR_INVALID_OPTION');
  });

  it('rejects with ERR_INVALID_OPTION when the nonce function returns an empty string or a non-string', async () => {
    await rejectedSignetError(requestSigner(options({ nonce: () => '' })).sign({ method: 'GET', url: '/' }), 'ERR_INVALID_OPTION');
    await rejectedSignetError(requestSigner(options({ nonce: () => 42 })).sign({ method: 'GET', url: '/' }), 'ERR_INVALID_OPTION');
  });
});

describe('valid edge values are accepted', () => {
  it('accepts expiresInSeconds 1 and sets exp = iat + 1', async () => {
    const signer = requestSigner(options({ expiresInSeconds: 1, clock: () => 1_700_000_000_500 }));
    const { payload } = verifyToken(bearerToken(await signer.sign({ method: 'GET', url: '/' })), publicKey, 1_700_000_000);
    expect(payload.exp).toBe(1_700_000_001);
  });

  it('accepts an apiKey with visible punctuation and keeps it verbatim in sub', async () => {
    const apiKey = 'ak_live:AbC-123.x/y+z=';
    const signer = requestSigner(options({ apiKey }));
    const { payload } = verifyToken(bearerToken(await signer.sign({ method: 'GET', url: '/' })), publicKey);
    expect(payload.sub).toBe(apiKey);
  });
});
