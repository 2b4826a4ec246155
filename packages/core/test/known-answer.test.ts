import { Buffer } from 'node:buffer';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { requestSigner } from '@signet/core';
import { pemLabel, sha256Hex, verifyToken } from './helpers.js';

interface KnownAnswer {
  keyFile: string;
  clockMs: number;
  apiKey: string;
  method: string;
  uri: string;
  body: string;
  expiresInSeconds: number;
  payload: string;
  token: string;
}

// Produced by __fixtures__/make-known-answer.sh with the openssl CLI alone.
const fixtures = new URL('./__fixtures__/', import.meta.url);
const vector = JSON.parse(readFileSync(new URL('known-answer.json', fixtures), 'utf8')) as KnownAnswer;
const keyPem = readFileSync(new URL(vector.keyFile, fixtures), 'utf8');
const iat = Math.floor(vector.clockMs / 1000);

async function sdkToken(): Promise<string> {
  const signer = requestSigner({
    apiKey: vector.apiKey,
    privateKey: keyPem,
    expiresInSeconds: vector.expiresInSeconds,
    clock: () => vector.clockMs,
  });
  const headers = await signer.sign({ method: vector.method, url: vector.uri, body: Buffer.from(vector.body, 'utf8') });
  return headers['Authorization'] ?? '';
}

describe('the known-answer vector', () => {
  it('uses a 2048-bit RSA PKCS#8 fixture key', () => {
    expect(pemLabel(keyPem)).toBe('PRIVATE KEY');
    const key = createPrivateKey(keyPem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('is a token jsonwebtoken accepts, with the claims of the inputs', () => {
    const { header, payload } = verifyToken(vector.token, createPublicKey(keyPem), iat);
    expect(header).toStrictEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toStrictEqual({
      uri: vector.uri,
      iat,
      exp: iat + vector.expiresInSeconds,
      sub: vector.apiKey,
      bodyHash: sha256Hex(Buffer.from(vector.body, 'utf8')),
    });
    expect(Buffer.from(vector.token.split('.')[1] ?? '', 'base64url').toString('utf8')).toBe(vector.payload);
  });

  it('is signed by the SDK to exactly the token openssl computed', async () => {
    expect(await sdkToken()).toBe(`Bearer ${vector.token}`);
  });

  it('is signed by the SDK to exactly the token jsonwebtoken signs for the same claims', async () => {
    const claims = {
      uri: vector.uri,
      iat,
      exp: iat + vector.expiresInSeconds,
      sub: vector.apiKey,
      bodyHash: sha256Hex(Buffer.from(vector.body, 'utf8')),
    };
    const expected = jwt.sign(claims, keyPem, { algorithm: 'RS256' });
    expect(expected).toBe(vector.token);
    expect(await sdkToken()).toBe(`Bearer ${expected}`);
  });
});
