import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as nodeSeam from '../src/platform/crypto.js';
import * as webSeam from '../src/platform/crypto.web.js';

// The web build's seam (crypto.web.ts) against the Node one it replaces: the same key facts (what keyMisfit reads),
// the same digests and encodings. The built bundles and workerd are tested in runtimes/test/verify-web.test.ts.

const pairs = {
  'RSA 2048': generateKeyPairSync('rsa', { modulusLength: 2048 }),
  'RSA 3072, e = 3': generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 }),
  'RSA 1024': generateKeyPairSync('rsa', { modulusLength: 1024 }),
  'P-256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'P-384': generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  'P-521': generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  Ed25519: generateKeyPairSync('ed25519'),
  X25519: generateKeyPairSync('x25519'),
};
const facts = (key: { type: string; asymmetricKeyType?: string | undefined; asymmetricKeyDetails?: { modulusLength?: number; namedCurve?: string } }) => ({
  type: key.type,
  asymmetricKeyType: key.asymmetricKeyType,
  modulusLength: key.asymmetricKeyDetails?.modulusLength,
  namedCurve: key.asymmetricKeyDetails?.namedCurve,
});

describe('the web seam reads the facts Node reads, from every key form', () => {
  it.each(Object.entries(pairs))('%s: PEM SPKI, DER SPKI and JWK give the KeyObject facts', (_name, { publicKey }) => {
    const expected = facts(publicKey);
    const forms: unknown[] = [publicKey.export({ type: 'spki', format: 'pem' }), new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))];
    if (publicKey.asymmetricKeyType !== 'x25519') forms.push(publicKey.export({ format: 'jwk' }));
    for (const form of forms) expect(facts(webSeam.publicKeyFrom(form, 'publicKey'))).toEqual(expected);
  });

  it('PKCS#1 PEM is read; truncated DER and a bad PEM body are ERR_KEY_INVALID, as on Node', () => {
    const { publicKey } = pairs['RSA 2048'];
    expect(facts(webSeam.publicKeyFrom(publicKey.export({ type: 'pkcs1', format: 'pem' }), 'publicKey'))).toEqual(facts(publicKey));
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const broken = [new Uint8Array(der.subarray(0, der.length - 1)), '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----\n'];
    for (const seam of [nodeSeam, webSeam]) for (const input of broken) expect(() => seam.publicKeyFrom(input, 'publicKey')).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }) as Error);
  });

  it('a KeyObject (the web build under Node): public and private give the public facts, a secret is refused as on Node', () => {
    const { publicKey, privateKey } = pairs['P-256'];
    for (const key of [publicKey, privateKey]) expect(facts(webSeam.publicKeyFrom(key, 'publicKey'))).toEqual(facts(publicKey));
    const secret = createSecretKey(randomBytes(32));
    for (const seam of [nodeSeam, webSeam]) {
      expect(() => seam.publicKeyFrom(secret, 'publicKey')).toThrow(expect.objectContaining({ code: 'ERR_KEY_TYPE' }) as Error);
      expect(() => seam.secretKeyFrom(publicKey, 'secretKey')).toThrow(expect.objectContaining({ code: 'ERR_KEY_TYPE' }) as Error);
      expect(seam.secretKeyFrom(secret, 'secretKey').type).toBe('secret');
    }
  });

  it('holds the key material where inspection and JSON never show it', () => {
    const secret = 'hmac-secret-that-must-not-leak-0123456789';
    const key = webSeam.secretKeyFrom(secret, 'secretKey');
    expect(`${inspect(key, { depth: 10, showHidden: true })}${JSON.stringify(key)}`).not.toContain(secret.slice(0, 12));
  });
});

// Digests and base64url are core's platform helpers (bytes.web.ts, sha2.ts), tested in core's
// platform-web-primitives.test.ts; what is verify's own is its constant-time comparison.
describe('the web seam computes what Node computes', () => {
  it('constant-time equality', () => {
    expect([
      webSeam.constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])),
      webSeam.constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])),
      webSeam.constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 0])),
    ]).toEqual([true, false, false]);
  });
});
