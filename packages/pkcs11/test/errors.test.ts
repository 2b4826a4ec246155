import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignetError, type SignetErrorCode } from '@signet/core';
import { pkcs11Key, type Pkcs11Key, type Pkcs11KeyOptions } from '@signet/pkcs11';
import { createTestToken, type TestToken } from '@signet/test-support';

let token: TestToken;
const keys: Pkcs11Key[] = [];
const options = (overrides: Partial<Pkcs11KeyOptions> = {}): Pkcs11KeyOptions => ({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel: 'rsa', ...overrides });

/** What pkcs11Key threw, checked to be a SignetError with `code`. */
function refusal(given: Pkcs11KeyOptions, code: SignetErrorCode): SignetError {
  let error: unknown;
  try {
    keys.push(pkcs11Key(given));
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(SignetError);
  expect((error as SignetError).code).toBe(code);
  return error as SignetError;
}

/** Everything reachable from `value`, as a person debugging (or a log pipeline) would see it. */
const everything = (value: unknown): string => `${inspect(value, { depth: Infinity, showHidden: true, getters: true })}\n${JSON.stringify(value)}\n${String(value)}`;

beforeAll(() => {
  token = createTestToken('signet-errors', 'pin-never-shown-4242');
});

afterAll(async () => {
  await Promise.all(keys.map((key) => key.close()));
  token.remove();
});

describe('pkcs11Key refuses with a typed error, and never shows the PIN', () => {
  it('a wrong PIN is ERR_KEY_PASSPHRASE, and neither PIN is anywhere in the error', () => {
    const error = refusal(options({ pin: 'wrong-pin-31337' }), 'ERR_KEY_PASSPHRASE');
    expect(error.message).toContain('"signet-errors"');
    expect(everything(error)).not.toContain('wrong-pin-31337');
    expect(everything(error)).not.toContain(token.pin);
  });

  it('a wrong PIN is refused even while another key has the token logged in (where C_Login answers "already logged in")', () => {
    keys.push(pkcs11Key(options()));
    const error = refusal(options({ pin: 'wrong-pin-31337', keyLabel: 'ec' }), 'ERR_KEY_PASSPHRASE');
    expect(everything(error)).not.toContain('wrong-pin-31337');
    expect(everything(error)).not.toContain(token.pin);
  });

  it('a second key with the right PIN shares the logged-in token', async () => {
    keys.push(pkcs11Key(options()));
    const second = pkcs11Key(options({ keyLabel: 'ec' }));
    keys.push(second);
    expect(await second.sign(new Uint8Array([1, 2, 3]))).toHaveLength(64);
  });

  it('the key object shows no PIN, however deep it is inspected', () => {
    const key = pkcs11Key(options());
    keys.push(key);
    expect(everything(key)).not.toContain(token.pin);
  });

  it('a token that is not there is ERR_KEY_INVALID naming the label asked for and the labels present', () => {
    const error = refusal(options({ tokenLabel: 'no-such-token' }), 'ERR_KEY_INVALID');
    expect(error.message).toContain('"no-such-token"');
    expect(error.message).toContain('"signet-errors"');
    expect(everything(error)).not.toContain(token.pin);
  });

  it('a key label that is not on the token is ERR_KEY_INVALID naming it', () => {
    const error = refusal(options({ keyLabel: 'no-such-key' }), 'ERR_KEY_INVALID');
    expect(error.message).toContain('"no-such-key"');
    expect(everything(error)).not.toContain(token.pin);
  });

  it.each([
    ['ec', 'RS256'],
    ['ec', 'PS256'],
    ['rsa', 'ES256'],
  ] as const)('an %s key asked to sign %s is ERR_KEY_TYPE', (keyLabel, algorithm) => {
    refusal(options({ keyLabel, algorithm }), 'ERR_KEY_TYPE');
  });

  it('an RSA key under 2048 bits is ERR_KEY_TOO_SMALL', () => {
    refusal(options({ keyLabel: 'rsa1024' }), 'ERR_KEY_TOO_SMALL');
  });

  it('an EC key on P-384 is ERR_KEY_TYPE (ES256 needs P-256)', () => {
    refusal(options({ keyLabel: 'p384' }), 'ERR_KEY_TYPE');
  });

  it('a path that is no PKCS#11 library is ERR_INVALID_OPTION naming it', () => {
    const error = refusal(options({ library: '/nonexistent/libnothing.so' }), 'ERR_INVALID_OPTION');
    expect(error.message).toContain('/nonexistent/libnothing.so');
  });

  it.each([
    ['an unknown option', () => ({ ...options(), slot: 0 })],
    ['an empty PIN', () => options({ pin: '' })],
    ['an algorithm PKCS#11 keys do not sign with here', () => options({ algorithm: 'HS256' as 'RS256' })],
    ['a session count of 0', () => options({ sessions: 0 })],
  ])('%s is ERR_INVALID_OPTION', (_, given) => {
    const error = refusal(given(), 'ERR_INVALID_OPTION');
    expect(everything(error)).not.toContain(token.pin);
  });

  it('an option inherited from a polluted prototype is not read', () => {
    const given = Object.create({ pin: token.pin }) as Pkcs11KeyOptions;
    Object.assign(given, { library: token.library, tokenLabel: token.tokenLabel, keyLabel: 'rsa' });
    refusal(given, 'ERR_INVALID_OPTION');
  });
});
