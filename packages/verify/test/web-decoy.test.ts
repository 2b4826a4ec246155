import { describe, expect, it, vi } from 'vitest';
import type { JwsAlgorithm } from '@signet/core';
import { decoyKey } from '../src/decoy.js';
import { signatureValid } from '../src/jws.js';

// The shared modules on the web build's seam, as the esbuild plugin of tsup.config.ts swaps it in.
vi.mock('../src/platform/crypto.js', async () => import('../src/platform/crypto.web.js'));

// An unknown API key is checked against a decoy so that its refusal costs what a bad signature costs. On the web
// build the decoy is imported (RSA: a random modulus) or generated (EC, Ed25519) by WebCrypto on first use: if
// WebCrypto refused it, the refusal would still read ERR_UNKNOWN_KEY outside, but without the work of a real check.
describe('the decoy keys of the web build', () => {
  const sizes: Partial<Record<JwsAlgorithm, number>> = { RS256: 256, PS256: 256, ES256: 64, ES384: 96, ES512: 132, EdDSA: 64 };
  it.each(Object.entries(sizes))('%s: the decoy imports and checks a signature of the right size (false, never an error)', async (alg, size) => {
    const key = decoyKey(alg as JwsAlgorithm);
    expect(key.constructor.name).toBe('WebKey');
    const signature = new Uint8Array(size);
    signature[0] = 1;
    signature[size - 1] = 1;
    await expect(Promise.resolve(signatureValid(alg as JwsAlgorithm, key, 'e30.e30', signature, true))).resolves.toBe(false);
    expect(decoyKey(alg as JwsAlgorithm)).toBe(key);
  });
});
