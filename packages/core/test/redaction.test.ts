import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import type { PrivateKeyInput, SignetError } from '@signet/core';
import { chunks16, pemBody, thrownSignetError } from './helpers.js';
import { PASSPHRASE, refusedKeyCases } from './key-cases.js';
import { testKeys } from '@signet/test-support';

const cases = refusedKeyCases();

function renderings(error: SignetError): Record<string, string> {
  return {
    message: error.message,
    json: JSON.stringify(error),
    inspect: inspect(error, { depth: 10, showHidden: true }),
    stack: String(error.stack),
  };
}

describe('errors about keys never carry key material or passphrases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('leaks nothing for %s', (_name, c) => {
    const error = thrownSignetError(
      () =>
        requestSigner({
          apiKey: 'redaction-test',
          privateKey: c.privateKey as PrivateKeyInput,
          ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase }),
        }),
      c.code,
    );
    expect(error).toBeInstanceOf(Error);
    expect(Object.keys(JSON.parse(JSON.stringify(error)) as object)).toEqual(['name', 'code', 'message']);
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual({ name: 'SignetError', code: c.code, message: error.message });
    expect(error).not.toHaveProperty('cause');

    const windows = c.material.flatMap(chunks16);
    for (const [where, text] of Object.entries(renderings(error))) {
      for (const window of windows) {
        if (text.includes(window)) expect.fail(`${where} contains key material ${JSON.stringify(window)}`);
      }
      for (const passphrase of c.passphrases) expect(text, where).not.toContain(passphrase);
    }
  });

  it('checks real material: the cases name secrets long enough to leak', () => {
    const withMaterial = cases.filter((c) => c.code !== 'ERR_INVALID_OPTION');
    for (const c of withMaterial) expect(c.material.flatMap(chunks16).length, c.name).toBeGreaterThan(0);
    // Guard the guard: the window search does find a leak when there is one.
    const leaky = `bad key ${(cases[0]?.material[0] ?? '').slice(100, 116)}`;
    expect(cases[0]?.material.flatMap(chunks16).some((w) => leaky.includes(w))).toBe(true);
  });
});

describe('a signer does not expose its key', () => {
  it('shows no PEM body or passphrase when inspected', () => {
    const { privateKey } = testKeys().rsa;
    const pem = String(privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const encrypted = String(privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE }));
    const signers = [
      requestSigner({ apiKey: 'redaction-test', privateKey: pem }),
      requestSigner({ apiKey: 'redaction-test', privateKey: Buffer.from(pem) }),
      requestSigner({ apiKey: 'redaction-test', privateKey: encrypted, passphrase: PASSPHRASE }),
    ];
    const windows = [...chunks16(pemBody(pem)), ...chunks16(pemBody(encrypted))];
    for (const signer of signers) {
      const text = inspect(signer, { depth: 10, showHidden: true });
      expect(text).toContain('sign');
      expect(text).not.toContain(PASSPHRASE);
      for (const window of windows) {
        if (text.includes(window)) expect.fail(`inspect(signer) contains key material ${JSON.stringify(window)}`);
      }
      expect(JSON.stringify(signer)).not.toContain(pemBody(pem).slice(0, 16));
    }
  });
});
