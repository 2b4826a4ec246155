import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { pkcs11Key, type Pkcs11Key } from '@signet/pkcs11';
import { createTestToken, type TestToken } from '@signet/test-support';
import { mintWithKey } from './support/tokens.js';

let token: TestToken;
const keys: Pkcs11Key[] = [];
const open = (keyLabel: string, sessions?: number): Pkcs11Key => {
  const key = pkcs11Key({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel, ...(sessions === undefined ? {} : { sessions }) });
  keys.push(key);
  return key;
};

beforeAll(() => {
  token = createTestToken('signet-concurrency');
});

afterAll(async () => {
  await Promise.all(keys.map((key) => key.close()));
  token.remove();
});

/** Mints `count` tokens at once, each with its own claim, and verifies every one with jose against the public key. */
async function signConcurrently(key: Pkcs11Key, label: 'rsa' | 'ec', count: number): Promise<void> {
  const tokens = await Promise.all(Array.from({ length: count }, (_, n) => mintWithKey(key, { n })));
  const verified = await Promise.all(tokens.map((jws) => jose.jwtVerify(jws, token.publicKeys[label], { algorithms: [key.algorithm] })));
  expect(verified.map(({ payload }) => payload.n)).toEqual(Array.from({ length: count }, (_, n) => n));
}

describe('pkcs11Key under concurrency', () => {
  // A PKCS#11 session runs one operation at a time: interleaved C_SignInit/C_Sign on a shared session fail
  // (CKR_OPERATION_ACTIVE) or, worse, sign the wrong input. Each signature must hold its session alone.
  it.each([
    ['rsa', 4],
    ['ec', 4],
    ['rsa', 1],
    ['ec', 16],
  ] as const)('100 concurrent %s signatures on %i session(s) all verify, each over its own input', async (label, sessions) => {
    await signConcurrently(open(label, sessions), label, 100);
  });

  it('close() lets the signatures under way finish, then refuses new ones with ERR_SIGNING_FAILED', async () => {
    const key = open('rsa', 2);
    const pending = Promise.all(Array.from({ length: 10 }, (_, n) => mintWithKey(key, { n })));
    const closed = key.close();
    const tokens = await pending;
    await closed;
    for (const jws of tokens) await expect(jose.jwtVerify(jws, token.publicKeys.rsa)).resolves.toBeDefined();
    const error = await key.sign(new Uint8Array([1])).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe('ERR_SIGNING_FAILED');
  });

  it('a key can be opened again on the same token after every key on it was closed (the library is finalized and re-initialized)', async () => {
    await Promise.all(keys.splice(0).map((key) => key.close()));
    await signConcurrently(open('ec'), 'ec', 3);
  });

  it('an aborted signal rejects with its reason, before and while waiting for a session', async () => {
    const key = open('rsa', 1);
    const before = new AbortController();
    const reason = new Error('gave up');
    before.abort(reason);
    await expect(key.sign(new Uint8Array([1]), { signal: before.signal })).rejects.toBe(reason);

    const busy = key.sign(new Uint8Array([1]));
    const waiting = new AbortController();
    const queued = key.sign(new Uint8Array([2]), { signal: waiting.signal });
    waiting.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(await busy).toHaveLength(256);
    // The session the aborted call never got is still lent out normally.
    expect(await key.sign(new Uint8Array([3]))).toHaveLength(256);
  });
});

describe('pkcs11Key when the token drops its sessions', () => {
  it('signs on: the lost sessions are replaced and logged in again (as after an HSM restart or failover)', async () => {
    const key = open('rsa', 2);
    await signConcurrently(key, 'rsa', 4);
    // Another handle on the same library closes every session of the process, which also logs the token out.
    const { default: pkcs11js } = await import('pkcs11js');
    const other = new pkcs11js.PKCS11();
    other.load(token.library);
    for (const slot of other.C_GetSlotList(true)) other.C_CloseAllSessions(slot);
    await signConcurrently(key, 'rsa', 8);
  });
});
