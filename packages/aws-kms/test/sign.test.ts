import { createHash } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { type JwsAlgorithm } from '@signet/core';
import { ALGORITHMS, isLowS } from '@signet/internal';
import { awsKmsKey, loadAwsKmsKey } from '@signet/aws-kms';
import { mintJwt, signingInput } from './support/jws.js';
import { type KeySpec, type KmsStandIn, startKmsStandIn, standInKey } from './support/kms-stand-in.js';

// The real @aws-sdk/client-kms against the local stand-in of the KMS protocol; every token is checked by
// jsonwebtoken and jose with the public key KMS hands out, and every call by what the stand-in received.

const standIns: KmsStandIn[] = [];
afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

async function standIn(keys: Record<string, KeySpec>, delayMs?: number): Promise<KmsStandIn> {
  const started = await startKmsStandIn({
    keys: Object.fromEntries(Object.entries(keys).map(([id, spec]) => [id, standInKey(spec)])),
    ...(delayMs === undefined ? {} : { delayMs }),
  });
  standIns.push(started);
  return started;
}

const CASES: [Exclude<JwsAlgorithm, 'EdDSA'>, KeySpec, string, 'sha256' | 'sha384' | 'sha512'][] = [
  ['RS256', 'RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256', 'sha256'],
  ['RS384', 'RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384', 'sha384'],
  ['RS512', 'RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 'sha512'],
  ['PS256', 'RSA_2048', 'RSASSA_PSS_SHA_256', 'sha256'],
  ['ES256', 'ECC_NIST_P256', 'ECDSA_SHA_256', 'sha256'],
  ['ES384', 'ECC_NIST_P384', 'ECDSA_SHA_384', 'sha384'],
];

describe('awsKmsKey signs JWS that independent verifiers accept', () => {
  it.each(CASES)('%s on a %s key: jsonwebtoken and jose verify the token with the key from GetPublicKey', async (algorithm, spec, kmsAlgorithm, hash) => {
    const kms = await standIn({ 'alias/signing': spec });
    const key = awsKmsKey({ client: kms.client(), keyId: 'alias/signing', algorithm });
    const payload = { sub: 'kms-test', n: 1 };
    // Several tokens: ECDSA's r and s vary in length, which DER shows and P1363 must not.
    for (let i = 0; i < 8; i++) {
      const token = await mintJwt(key, { ...payload, n: i });
      const pem = await key.publicKeyPem();
      expect(jwt.verify(token, pem, { algorithms: [algorithm] })).toMatchObject({ sub: 'kms-test', n: i });
      const { payload: verified, protectedHeader } = await jwtVerify(token, await importSPKI(pem, algorithm), { algorithms: [algorithm] });
      expect(verified).toMatchObject({ n: i });
      expect(protectedHeader.alg).toBe(algorithm);
    }
    const signs = kms.calls.filter((call) => call.target === 'TrentService.Sign');
    expect(signs).toHaveLength(8);
    const expectedDigest = createHash(hash)
      .update(signingInput(algorithm, { ...payload, n: 7 }))
      .digest('base64');
    expect(signs[7]?.body).toEqual({ KeyId: 'alias/signing', Message: expectedDigest, MessageType: 'DIGEST', SigningAlgorithm: kmsAlgorithm });
    expect(signs[7]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIASTANDIN7EXAMPLE0\/\d{8}\/us-east-1\/kms\/aws4_request, /);
    // publicKeyPem() asked once, then answered from its cache.
    expect(kms.calls.filter((call) => call.target === 'TrentService.GetPublicKey')).toHaveLength(1);
  });

  it('sends KMS only the digest of a 2 MB token, never the token', async () => {
    const kms = await standIn({ big: 'ECC_NIST_P256' });
    const key = awsKmsKey({ client: kms.client(), keyId: 'big', algorithm: 'ES256' });
    const blob = 'x'.repeat(2 * 1024 * 1024);
    const token = await mintJwt(key, { blob });
    expect(jwt.verify(token, await key.publicKeyPem(), { algorithms: ['ES256'] })).toMatchObject({ blob });
    const sign = kms.calls.find((call) => call.target === 'TrentService.Sign');
    expect(Buffer.from(String(sign?.body['Message']), 'base64')).toHaveLength(32);
    expect(JSON.stringify(sign?.body).length).toBeLessThan(200);
  });

  it('signs 64 tokens at once, each verifying with its own payload', async () => {
    const kms = await standIn({ 'alias/concurrent': 'ECC_NIST_P256' }, 5);
    const key = awsKmsKey({ client: kms.client(), keyId: 'alias/concurrent', algorithm: 'ES256' });
    const tokens = await Promise.all(Array.from({ length: 64 }, (_, n) => mintJwt(key, { n })));
    const pem = await key.publicKeyPem();
    tokens.forEach((token, n) => expect(jwt.verify(token, pem, { algorithms: ['ES256'] })).toMatchObject({ n }));
    expect(new Set(tokens).size).toBe(64);
    expect(kms.calls.filter((call) => call.target === 'TrentService.Sign')).toHaveLength(64);
  });
});

describe('ECDSA signatures', () => {
  it.each([
    ['ES256', 'ECC_NIST_P256'],
    ['ES384', 'ECC_NIST_P384'],
  ] as const)('%s: KMS may answer high-S; the key returns r || s with low S, every time', async (algorithm, spec) => {
    const kms = await standIn({ ec: spec });
    const key = awsKmsKey({ client: kms.client(), keyId: 'ec', algorithm });
    const signatures = await Promise.all(Array.from({ length: 64 }, (_, n) => key.sign(new TextEncoder().encode(`input ${n}`))));
    for (const signature of signatures) {
      expect(signature).toHaveLength(algorithm === 'ES256' ? 64 : 96);
      expect(isLowS(signature, ALGORITHMS[algorithm].curveOrder as bigint)).toBe(true);
    }
  });
});

describe('loadAwsKmsKey reads the algorithm from the key', () => {
  it.each([
    ['RSA_2048', 'RS256'],
    ['ECC_NIST_P256', 'ES256'],
    ['ECC_NIST_P384', 'ES384'],
  ] as const)('a %s key signs %s, verified with the PEM its GetPublicKey gave', async (spec, algorithm) => {
    const kms = await standIn({ inferred: spec });
    const key = await loadAwsKmsKey({ client: kms.client(), keyId: 'inferred' });
    expect(key.algorithm).toBe(algorithm);
    const token = await mintJwt(key, { sub: 'inferred' });
    expect(jwt.verify(token, await key.publicKeyPem(), { algorithms: [algorithm] })).toMatchObject({ sub: 'inferred' });
    // The PEM came from the one GetPublicKey loadAwsKmsKey made.
    expect(kms.calls.map((call) => call.target)).toEqual(['TrentService.GetPublicKey', 'TrentService.Sign']);
  });

  it('keeps an algorithm the key offers (PS256 on an RSA key)', async () => {
    const kms = await standIn({ pss: 'RSA_2048' });
    const key = await loadAwsKmsKey({ client: kms.client(), keyId: 'pss', algorithm: 'PS256' });
    const token = await mintJwt(key, { sub: 'pss' });
    const { payload } = await jwtVerify(token, await importSPKI(await key.publicKeyPem(), 'PS256'));
    expect(payload.sub).toBe('pss');
  });
});
