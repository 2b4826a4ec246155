import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { httpbis, createSigner } from 'http-message-signatures';
import { HTTP_SIGNATURE_ALGORITHMS, httpMessageSigner } from '@signet/core';
import { httpMessageVerifier } from '@signet/verify';
import { keyPairs, packageKeyLookup } from './support/keys.js';

// Both directions against the `http-message-signatures` package, for every algorithm both implement (all six of
// RFC 9421's registry): Signet signs and the package verifies; the package signs and Signet verifies.

const ORIGIN = 'https://api.example.com';
const body = Buffer.from('{"amount":1250,"currency":"EUR"}');
const sha256Digest = (bytes: Uint8Array): string => `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;

describe.each(HTTP_SIGNATURE_ALGORITHMS)('%s', (algorithm) => {
  it('Signet signs, http-message-signatures verifies (and refuses the same signature on another path)', async () => {
    const signer = httpMessageSigner({ algorithm, key: keyPairs[algorithm].signing, keyId: 'k', includeAlg: true });
    const headers = await signer.sign({ method: 'POST', url: '/v1/payments?dryRun=1', origin: ORIGIN, body, headers: { 'Content-Type': 'application/json' } });
    expect(headers['Content-Digest']).toBe(sha256Digest(body));
    const message = { method: 'POST', url: `${ORIGIN}/v1/payments?dryRun=1`, headers: { 'content-type': 'application/json', ...lowercase(headers) } };
    const config = { keyLookup: packageKeyLookup(algorithm), requiredFields: ['@method', '@authority', '@path', '@query', 'content-digest'], requiredParams: ['created', 'keyid'] };
    await expect(httpbis.verifyMessage(config, message)).resolves.toBe(true);
    await expect(httpbis.verifyMessage(config, { ...message, url: `${ORIGIN}/v1/refunds?dryRun=1` })).resolves.toBe(false);
  });

  it('http-message-signatures signs, Signet verifies (and refuses it with the body changed)', async () => {
    const request = {
      method: 'POST',
      url: `${ORIGIN}/v1/payments?dryRun=1`,
      headers: { 'content-type': 'application/json', 'content-digest': sha256Digest(body) } as Record<string, string>,
    };
    const signed = await httpbis.signMessage(
      { key: createSigner(keyPairs[algorithm].signing, algorithm, 'k'), fields: ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'], params: ['created', 'keyid', 'alg', 'expires'] },
      request,
    );
    const verifier = httpMessageVerifier({ keys: { k: { algorithm, key: keyPairs[algorithm].verifying } }, origin: ORIGIN });
    const received = { method: 'POST', url: '/v1/payments?dryRun=1', headers: { host: 'api.example.com', ...signed.headers }, body };
    await expect(verifier.verify(received)).resolves.toMatchObject({ sub: 'k', label: 'sig' });
    await expect(verifier.verify({ ...received, body: Buffer.from('{"amount":9999,"currency":"EUR"}') })).rejects.toMatchObject({ code: 'ERR_BODY_HASH_MISMATCH' });
  });
});

function lowercase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
