import { SignetError } from '@signet/core';

/**
 * Converts an ECDSA signature from DER (`SEQUENCE { INTEGER r, INTEGER s }`, what KMS returns) to the IEEE P1363
 * form JWS uses: `r || s`, each left-padded to `halfBytes` (32 for P-256, 48 for P-384). DER integers are signed and
 * minimal, so `r` may carry a leading zero byte (when its top bit is set) or be shorter than `halfBytes`.
 * Anything that is not exactly such a DER structure is `ERR_SIGNING_FAILED`: a malformed answer is never signed with.
 * @internal
 */
export function derToP1363(der: Uint8Array, halfBytes: number): Uint8Array {
  const reader = derReader(der);
  reader.expect(0x30);
  const sequenceEnd = reader.length() + reader.offset;
  if (sequenceEnd !== der.length) throw malformed('the SEQUENCE length does not match the signature length');
  const out = new Uint8Array(halfBytes * 2);
  writeInteger(reader, out, 0, halfBytes);
  writeInteger(reader, out, halfBytes, halfBytes);
  if (reader.offset !== der.length) throw malformed('bytes follow the two INTEGERs');
  return out;
}

function writeInteger(reader: DerReader, out: Uint8Array, at: number, halfBytes: number): void {
  reader.expect(0x02);
  const length = reader.length();
  let value = reader.take(length);
  if (length === 0) throw malformed('an INTEGER is empty');
  if ((value[0]! & 0x80) !== 0) throw malformed('an INTEGER is negative');
  if (value[0] === 0 && length > 1) {
    if ((value[1]! & 0x80) === 0) throw malformed('an INTEGER is not minimally encoded');
    value = value.subarray(1);
  }
  if (value.length > halfBytes) throw malformed(`an INTEGER is longer than ${halfBytes} bytes (wrong curve?)`);
  out.set(value, at + halfBytes - value.length);
}

interface DerReader {
  offset: number;
  expect(tag: number): void;
  length(): number;
  take(count: number): Uint8Array;
}

function derReader(der: Uint8Array): DerReader {
  const reader: DerReader = {
    offset: 0,
    expect(tag) {
      if (der[reader.offset] !== tag) throw malformed(`expected tag 0x${tag.toString(16)} at byte ${reader.offset}`);
      reader.offset++;
    },
    length() {
      const first = der[reader.offset++];
      if (first === undefined) throw malformed('it ends early');
      if (first < 0x80) return first;
      // Long form: ECDSA signatures up to P-521 need at most one length byte (a SEQUENCE of ≤ 139 bytes).
      if (first !== 0x81) throw malformed('an unsupported length form');
      const long = der[reader.offset++];
      if (long === undefined || long < 0x80) throw malformed('a non-minimal length');
      return long;
    },
    take(count) {
      if (reader.offset + count > der.length) throw malformed('it ends early');
      const value = der.subarray(reader.offset, reader.offset + count);
      reader.offset += count;
      return value;
    },
  };
  return reader;
}

function malformed(why: string): SignetError {
  return new SignetError('ERR_SIGNING_FAILED', `AWS KMS returned an ECDSA signature that is not valid DER: ${why}.`);
}
