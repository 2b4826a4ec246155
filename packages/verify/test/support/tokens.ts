import { Buffer } from 'node:buffer';
import { type KeyObject, constants, createHash, createHmac, sign as cryptoSign } from 'node:crypto';
import { expect } from 'vitest';
import { SignetError, type SignetErrorCode } from '@signet/core';
import type { VerifiableRequest, VerifiedClaims, Verifier } from '@signet/verify';
import { expectCode, thrown } from './rejections.js';

/**
 * Tokens for the verifier tests, crafted by hand: header and payload JSON are encoded here and signed with
 * node:crypto, so that a malicious token never depends on the SDK's own signers.
 */

/** The fixed "now" of the tests, in seconds since the epoch. */
export const NOW = 1_700_000_000;

/** A clock frozen at `seconds` (milliseconds, as `Date.now` returns). */
export function clockAt(seconds: number = NOW): () => number {
  return () => seconds * 1000;
}

export const API_KEY = 'ak_live_7f3c9a21';
export const URL_PATH = '/v1/payments?amount=100&currency=EUR';
export const BODY = '{"amount":100,"currency":"EUR","reference":"order-42"}';

/** Hex SHA-256, computed here rather than by the SDK. */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** base64url without padding of a JSON value, a string (UTF-8) or bytes. */
export function b64u(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64url');
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Every algorithm the helpers can sign with; the header's `alg` is set independently. */
export type SigningAlg = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA';

const HASHES: Record<SigningAlg, string | null> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  ES256: 'sha256',
  ES384: 'sha384',
  EdDSA: null,
};

/** The signature bytes of `input` (the ASCII signing input) with `alg`; ECDSA as raw r||s unless `der`. */
export function signBytes(alg: SigningAlg, key: KeyObject | string | Buffer, input: string, options: { der?: boolean } = {}): Buffer {
  const hash = HASHES[alg];
  const data = Buffer.from(input, 'latin1');
  if (alg.startsWith('HS'))
    return createHmac(hash as string, key)
      .update(data)
      .digest();
  if (typeof key === 'string' || Buffer.isBuffer(key)) throw new Error('asymmetric signing needs a KeyObject');
  if (alg === 'PS256') return cryptoSign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  if (alg.startsWith('ES')) return cryptoSign(hash, data, { key, dsaEncoding: options.der === true ? 'der' : 'ieee-p1363' });
  return cryptoSign(hash, data, key);
}

/** `segment.segment.signature` over the exact segments given (which may be deliberately non-canonical). */
export function signSegments(alg: SigningAlg, key: KeyObject | string | Buffer, header: string, payload: string): string {
  const input = `${header}.${payload}`;
  return `${input}.${signBytes(alg, key, input).toString('base64url')}`;
}

/**
 * A compact JWS of `payload` signed with `alg` and `key`. The header defaults to `{ alg, typ: 'JWT' }`; pass another
 * to lie about the algorithm or add fields. A string payload is encoded as-is (for non-object JSON).
 */
export function mint(alg: SigningAlg, key: KeyObject | string | Buffer, payload: object | string, header: object = { alg, typ: 'JWT' }): string {
  return signSegments(alg, key, b64u(header), b64u(payload));
}

// The group orders of P-256 and P-384 (SEC 2), kept here rather than taken from the SDK: (r, s) and (r, n - s) are
// both valid ECDSA signatures, and the verifier accepts only the one with s <= n / 2.
const CURVE_ORDERS: Record<string, bigint> = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** The same ES256/ES384 token with its raw r||s signature rewritten so that `s` is in the low (or high) half. */
function withSHalf(token: string, half: 'low' | 'high'): string {
  const [header, payload, signature] = segmentsOf(token);
  const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
  const n = CURVE_ORDERS[String(alg)];
  if (n === undefined) throw new Error(`not an ES256/ES384 token: ${String(alg)}`);
  const bytes = Buffer.from(signature, 'base64url');
  const size = bytes.length / 2;
  const s = BigInt(`0x${bytes.subarray(size).toString('hex')}`);
  if (s === 0n || s >= n) throw new Error('not a raw r||s signature of this curve');
  const isLow = s <= n >> 1n;
  if (isLow === (half === 'low')) return token;
  const twin = Buffer.from((n - s).toString(16).padStart(size * 2, '0'), 'hex');
  return `${header}.${payload}.${Buffer.concat([bytes.subarray(0, size), twin]).toString('base64url')}`;
}

/** An ECDSA token (jose, jsonwebtoken, node:crypto sign high-S half the time) in its low-S spelling, which verifies. */
export function lowS(token: string): string {
  return withSHalf(token, 'low');
}

/** The high-S twin of an ECDSA token: mathematically valid, yet refused, so a token has exactly one signature. */
export function highS(token: string): string {
  return withSHalf(token, 'high');
}

/** An unsigned token: `header.payload.` with an empty signature. */
export function unsigned(header: object, payload: object): string {
  return `${b64u(header)}.${b64u(payload)}.`;
}

export function segmentsOf(token: string): [string, string, string] {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('expected 3 segments');
  return parts as [string, string, string];
}

export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segmentsOf(token)[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The same token with its payload re-encoded after `change`, and the original signature kept (not re-signed). */
export function withPayload(token: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, , signature] = segmentsOf(token);
  return `${header}.${b64u(change(decodePayload(token)))}.${signature}`;
}

/** The claims of the per-request scheme for `URL_PATH` and `BODY` at `NOW`; an `undefined` override removes a claim. */
export function requestClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { uri: URL_PATH, iat: NOW, exp: NOW + 55, sub: API_KEY, bodyHash: sha256Hex(BODY), ...overrides };
}

/** The request `URL_PATH` + `BODY` carrying `Authorization: Bearer <token>`. */
export function requestWith(token: string, overrides: Partial<VerifiableRequest> = {}): VerifiableRequest {
  return { method: 'POST', url: URL_PATH, headers: { authorization: `Bearer ${token}` }, body: Buffer.from(BODY), ...overrides };
}

export type Outcome = { resolved: true; claims: VerifiedClaims } | { resolved: false; error: unknown };

/** What `verify` did, whether it resolved, rejected or threw synchronously. */
export async function outcomeOf(verifier: Verifier, request: VerifiableRequest): Promise<Outcome> {
  try {
    return { resolved: true, claims: await verifier.verify(request) };
  } catch (error) {
    return { resolved: false, error };
  }
}

/** Expects `verify` to reject with a SignetError of exactly `code`, and returns that error. */
export async function expectRejected(verifier: Verifier, request: VerifiableRequest, code: SignetErrorCode): Promise<SignetError> {
  const outcome = await outcomeOf(verifier, request);
  expect(outcome.resolved, 'verify() resolved for a request it must reject').toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeSignetError(code);
  return error as SignetError;
}

/** Expects `verify` to reject with a SignetError whose code is one of `codes` (never to resolve). */
export async function expectRejectedWithOneOf(verifier: Verifier, request: VerifiableRequest, codes: readonly SignetErrorCode[]): Promise<SignetError> {
  const outcome = await outcomeOf(verifier, request);
  expect(outcome.resolved, 'verify() resolved for a request it must reject').toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(SignetError);
  expect(codes).toContain((error as SignetError).code);
  return error as SignetError;
}

/** Runs `fn`, expects a SignetError of exactly `code`. */
export function expectThrown(fn: () => unknown, code: SignetErrorCode): SignetError {
  const error = thrown(fn);
  expectCode(error, code);
  return error as SignetError;
}

/** Everything an error shows to a log: message, stack, `String()` and JSON. */
export function renderings(error: Error): string[] {
  return [error.message, String(error.stack), String(error), JSON.stringify(error)];
}

/** A small deterministic PRNG (mulberry32): the fuzz tests replay exactly from their seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
