import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Jwt, JwtPayload } from 'jsonwebtoken';
import { expect } from 'vitest';
import type { SignetError } from '@signet/core';
import type { SignetErrorCode } from '@signet/core';
// Brings in the toBeSignetError matcher's declaration (registered by the setup file).
import type {} from '@signet/test-support';

/** Hex SHA-256 of the exact bytes, computed here rather than by the SDK. */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The token from an `Authorization: Bearer …` header. */
export function bearerToken(headers: Record<string, string>): string {
  const value = headers['Authorization'];
  expect(value).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  return (value ?? '').slice('Bearer '.length);
}

/**
 * Verifies with jsonwebtoken, the independent truth. `now` (seconds) pins verification time for tokens minted with
 * a fixed clock, so that `exp` is checked rather than ignored.
 */
export function verifyToken(token: string, publicKey: KeyObject | string, now?: number): Jwt & { payload: JwtPayload } {
  const decoded = jwt.verify(token, publicKey, {
    algorithms: ['RS256'],
    complete: true,
    ...(now === undefined ? {} : { clockTimestamp: now }),
  });
  if (typeof decoded.payload === 'string') throw new Error('expected a JSON payload');
  return decoded as Jwt & { payload: JwtPayload };
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** Runs `fn`, expects a SignetError with `code`, and returns it for further checks. */
export function thrownSignetError(fn: () => unknown, code: SignetErrorCode): SignetError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeSignetError(code);
  return caught as SignetError;
}

export async function rejectedSignetError(promise: Promise<unknown>, code: SignetErrorCode): Promise<SignetError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeSignetError(code);
  return caught as SignetError;
}

/** The base64 body of a PEM (every block), whitespace removed. */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => !line.startsWith('-----') && !line.includes(':'))
    .join('')
    .replace(/\s/g, '');
}

/** Every 16-character window of `secret`: if none appears in a text, no longer chunk does either. */
export function chunks16(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 16 <= secret.length; i++) out.push(secret.slice(i, i + 16));
  return out;
}

/** The label of a PEM's first block, e.g. 'PRIVATE KEY' for PKCS#8 ('BEGIN' kept out of this file's text on purpose). */
export function pemLabel(pem: string): string | undefined {
  return new RegExp(`^-----${'BEGIN'} ([A-Z0-9 ]+)-----\n`).exec(pem)?.[1];
}

/** The first line of a PEM block with this label. */
export function pemBegin(label: string): string {
  return `-----${'BEGIN'} ${label}-----`;
}
