import { createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { derToP1363 } from '../src/der.js';
import { derInteger, derSequence } from './support/digest-signers.js';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const der = (r: bigint, s: bigint): Buffer => derSequence([derInteger(r), derInteger(s)]);

function refused(bytes: Uint8Array, half = 32): SignetError {
  let caught: unknown;
  try {
    derToP1363(bytes, half);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SignetError);
  expect((caught as SignetError).code).toBe('ERR_SIGNING_FAILED');
  return caught as SignetError;
}

describe('derToP1363', () => {
  it('strips the 0x00 DER puts before an integer whose top bit is set', () => {
    const r = BigInt(`0x${'ff'.repeat(32)}`);
    const s = BigInt(`0x80${'01'.repeat(31)}`);
    const encoded = der(r, s);
    expect(encoded.subarray(0, 5)).toEqual(hex('3046022100'));
    expect(Buffer.from(derToP1363(encoded, 32)).toString('hex')).toBe(`${'ff'.repeat(32)}80${'01'.repeat(31)}`);
  });

  it('left-pads a short r and a short s to the curve size', () => {
    const encoded = der(1n, BigInt(`0x${'7f'.repeat(30)}`));
    expect(encoded).toEqual(hex(`3023020101021e${'7f'.repeat(30)}`));
    expect(Buffer.from(derToP1363(encoded, 32)).toString('hex')).toBe(`${'00'.repeat(31)}01${'0000'}${'7f'.repeat(30)}`);
  });

  it('keeps an integer whose own leading byte is zero-padded only by P1363 (r shorter by several bytes)', () => {
    const r = BigInt(`0x${'12'.repeat(29)}`);
    const out = derToP1363(der(r, 2n), 32);
    expect(Buffer.from(out.subarray(0, 32)).toString('hex')).toBe(`000000${'12'.repeat(29)}`);
    expect(Buffer.from(out.subarray(32)).toString('hex')).toBe(`${'00'.repeat(31)}02`);
  });

  it('reads the short length form at its limit (the longest P-384 signature) and the long form past it', () => {
    const r384 = BigInt(`0x${'c3'.repeat(48)}`);
    const p384 = der(r384, r384);
    expect(p384.subarray(0, 2)).toEqual(hex('3066'));
    expect(Buffer.from(derToP1363(p384, 48)).toString('hex')).toBe('c3'.repeat(96));
    const r521 = BigInt(`0x${'c3'.repeat(66)}`);
    const p521 = der(r521, r521);
    expect(p521.subarray(0, 3)).toEqual(hex('30818a'));
    expect(Buffer.from(derToP1363(p521, 66)).toString('hex')).toBe('c3'.repeat(132));
  });

  it.each([
    ['P-256', 'prime256v1', 32, 'sha256'],
    ['P-384', 'secp384r1', 48, 'sha384'],
  ] as const)('turns %s signatures that Node made in DER into r || s that Node verifies', (_name, curve, half, hash) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    for (let i = 0; i < 200; i++) {
      const message = Buffer.from(`message ${i}`);
      const p1363 = derToP1363(sign(hash, message, { key: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })), dsaEncoding: 'der' }), half);
      expect(p1363.length).toBe(half * 2);
      expect(verify(hash, message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363)).toBe(true);
    }
  });

  it.each([
    ['an empty input', ''],
    ['a wrong outer tag', `3106020101020101`],
    ['a SEQUENCE length that is not the input length', `3007020101020101`],
    ['bytes after the two integers', `300602010102010100`],
    ['a missing s', `3003020101`],
    ['a truncated integer', `3006020201020101`],
    ['an empty integer', `30050200020101`],
    ['a negative integer', `3006020181020101`],
    ['a non-minimal integer (0x00 before a clear top bit)', `300702020001020101`],
    ['a non-minimal long length', `30810602010102010100`],
    ['a length form longer than one byte', `3082000602010102010100`],
  ])('refuses %s with ERR_SIGNING_FAILED', (_name, bytes) => {
    refused(hex(bytes));
  });

  it('refuses an integer longer than the curve allows (a P-384 signature read as P-256)', () => {
    const r = BigInt(`0x${'45'.repeat(48)}`);
    expect(refused(der(r, 1n), 32).message).toMatch(/longer than 32 bytes/);
  });
});
