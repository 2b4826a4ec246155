import { constants, createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ecdsaSignDigest, type Hash, rsaPkcs1SignDigest, rsaPssSignDigest } from './support/digest-signers.js';
import { standInKey } from './support/kms-stand-in.js';

// The stand-in's signatures over a digest must be what Node's own verify accepts over the message: otherwise the
// package's tests would be checking against a stand-in that is wrong in the same way the package is.

const message = Buffer.from('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdGFuZC1pbiJ9');
const digestOf = (hash: Hash): Buffer => createHash(hash).update(message).digest();

describe('the KMS stand-in signs digests with the real key', () => {
  it.each(['sha256', 'sha384', 'sha512'] as const)('RSASSA-PKCS1-v1_5 over a %s digest verifies over the message', (hash) => {
    const { privateKey, publicKey } = standInKey('RSA_2048');
    expect(verify(hash, message, publicKey, rsaPkcs1SignDigest(privateKey, hash, digestOf(hash)))).toBe(true);
    expect(verify(hash, Buffer.from('other'), publicKey, rsaPkcs1SignDigest(privateKey, hash, digestOf(hash)))).toBe(false);
  });

  it.each(['sha256', 'sha384', 'sha512'] as const)('RSASSA-PSS over a %s digest verifies over the message (salt = digest size)', (hash) => {
    const { privateKey, publicKey } = standInKey('RSA_2048');
    const signature = rsaPssSignDigest(privateKey, hash, digestOf(hash));
    const key = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digestOf(hash).length };
    expect(verify(hash, message, key, signature)).toBe(true);
    expect(verify(hash, Buffer.from('other'), key, signature)).toBe(false);
  });

  it.each([
    ['ECC_NIST_P256', 'sha256'],
    ['ECC_NIST_P384', 'sha384'],
  ] as const)('ECDSA on %s over a %s digest verifies over the message', (spec, hash) => {
    const { privateKey, publicKey } = standInKey(spec);
    for (let i = 0; i < 20; i++) {
      const signature = ecdsaSignDigest(privateKey, digestOf(hash));
      expect(verify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(verify(hash, Buffer.from('other'), { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(false);
    }
  });
});
