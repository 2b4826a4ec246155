import { describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { type SignetMiddlewareOptions, type Verifier, requestVerifier, signetMiddleware, withSignet } from '@signet/verify';
import { testKeys } from '@signet/test-support';

const { privateKey, publicKey } = testKeys().rsa;
const verifier = requestVerifier({ publicKey });

const entryPoints = [
  ['signetMiddleware', (v: Verifier, options?: SignetMiddlewareOptions) => signetMiddleware(v, options)],
  ['withSignet', (v: Verifier, options?: SignetMiddlewareOptions) => withSignet(v, () => undefined, options)],
] as const;

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectInvalidOption(fn: () => unknown): void {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(SignetError);
  expect((error as SignetError).code).toBe('ERR_INVALID_OPTION');
}

describe.each(entryPoints)('%s checks its arguments when it is created', (_name, create) => {
  const notVerifiers: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a Signer', requestSigner({ apiKey: 'k', privateKey })],
    ['a verifier without headers', { verify: verifier.verify, authenticate: verifier.authenticate }],
    // The middleware authenticates from the headers before reading the body: a verify()-only object cannot do that.
    ['a verifier with verify but no authenticate', { headers: ['authorization'], verify: verifier.verify }],
    ['a verifier whose authenticate is not a function', { headers: ['authorization'], verify: verifier.verify, authenticate: 'yes' }],
  ];

  it.each(notVerifiers)('throws ERR_INVALID_OPTION for %s as the verifier', (_what, value) => {
    expectInvalidOption(() => create(value as Verifier));
  });

  it.each([
    ['maxBodyBytes', -1],
    ['maxBodyBytes', 1.5],
    ['maxBodyBytes', Number.NaN],
    ['maxBodyBytes', '1024'],
    ['maxHeaderBytes', -1],
    ['maxHeaderBytes', Number.POSITIVE_INFINITY],
  ])('throws ERR_INVALID_OPTION for %s %s', (name, value) => {
    expectInvalidOption(() => create(verifier, { [name]: value }));
  });

  it.each([
    ['maxBodyByte', 'maxBodyBytes'],
    ['maxheaderbytes', 'maxHeaderBytes'],
    ['parsebody', 'parseBody'],
  ])('throws ERR_INVALID_OPTION for the unknown option %s, suggesting %s', (name, suggestion) => {
    const error = thrownBy(() => create(verifier, { [name]: 1 }));
    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe('ERR_INVALID_OPTION');
    expect((error as SignetError).message).toContain(`"${suggestion}"`);
  });

  it('reads only own options: a limit inherited from a prototype is not taken for one', () => {
    // An inherited invalid limit would throw if it were read; an inherited tiny one would silently cap every body.
    expect(typeof create(verifier, Object.create({ maxBodyBytes: -1, parseBody: 'yes' }) as SignetMiddlewareOptions)).toBe('function');
    expectInvalidOption(() => create(verifier, Object.assign(Object.create({ maxBodyBytes: 1 }) as object, { maxBodyBytes: -1 })));
  });

  it('accepts a Verifier with whole-number limits', () => {
    expect(typeof create(verifier, { maxBodyBytes: 0, maxHeaderBytes: 4096, parseBody: false })).toBe('function');
  });
});
