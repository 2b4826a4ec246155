import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';

// The body matrix every transport adapter is held to (@signet/axios, @signet/fetch): the same inputs, the same
// bytes that must arrive on the wire.

/** The bytes a typed array or DataView covers, and no others. */
export function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

/** `bytes` cut into `size`-byte chunks, each its own copy (for stream bodies). */
export function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(Buffer.from(bytes.subarray(offset, offset + size)));
  return chunks;
}

/** 64 KiB of random bytes that are certainly not valid UTF-8. */
export const randomBinary = (() => {
  const bytes = randomBytes(64 * 1024);
  bytes.set([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80], 0);
  bytes[bytes.length - 1] = 0x80;
  return bytes;
})();
export const twoMiB = randomBytes(2 * 1024 * 1024);

export interface BinaryCase {
  title: string;
  body: () => ArrayBufferView<ArrayBuffer> | ArrayBuffer | Blob;
  bytes: Buffer;
}

export const binaryCases: BinaryCase[] = [
  { title: 'sends a Buffer as exactly its bytes', body: () => Buffer.from([0, 1, 2, 253, 254, 255]), bytes: Buffer.from([0, 1, 2, 253, 254, 255]) },
  {
    title: 'sends a Buffer slice of a bigger Buffer as only the slice',
    body: () => Buffer.from('HEADER|payload|TRAILER').subarray(7, 14),
    bytes: Buffer.from('payload'),
  },
  { title: 'sends a Uint8Array as exactly its bytes', body: () => Uint8Array.from([9, 8, 7, 0, 255]), bytes: Buffer.from([9, 8, 7, 0, 255]) },
  {
    title: 'sends a Uint8Array.subarray as only its own bytes, not the whole ArrayBuffer',
    body: () => Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]).subarray(2, 5),
    bytes: Buffer.from([3, 4, 5]),
  },
  {
    title: 'sends an Int16Array view at an offset as only the bytes it covers',
    body: () => new Int16Array(Uint8Array.from({ length: 16 }, (_, i) => i * 3).buffer, 4, 3),
    bytes: Buffer.from([12, 15, 18, 21, 24, 27]),
  },
  {
    title: 'sends a Float64Array subarray as only its own 8-byte elements',
    body: () => Float64Array.from([1.5, Math.PI, -0, Number.NaN, Infinity]).subarray(1, 4),
    bytes: bytesOf(Float64Array.from([Math.PI, -0, Number.NaN])),
  },
  {
    title: 'sends a DataView as only the bytes it covers',
    body: () => new DataView(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer, 2, 5),
    bytes: Buffer.from([2, 3, 4, 5, 6]),
  },
  { title: 'sends an ArrayBuffer as exactly its bytes', body: () => Uint8Array.from([42, 0, 42, 255]).buffer, bytes: Buffer.from([42, 0, 42, 255]) },
  { title: 'sends 64 KiB of random bytes that are not valid UTF-8 unchanged', body: () => Buffer.from(randomBinary), bytes: randomBinary },
  { title: 'sends a 2 MiB Buffer whole', body: () => twoMiB, bytes: twoMiB },
  {
    title: 'sends a Blob as the bytes of its parts',
    body: () => new Blob(['blob body ', Uint8Array.from([0xff, 0x00]), ' end']),
    bytes: Buffer.concat([Buffer.from('blob body '), Buffer.from([0xff, 0x00]), Buffer.from(' end')]),
  },
];

export interface StringCase {
  title: string;
  body: string;
  contentType?: string;
}

export const stringCases: StringCase[] = [
  { title: 'sends plain text exactly as written', body: 'hello, signed world' },
  { title: 'sends a string with leading and trailing spaces untrimmed', body: '   padded value \t\n ' },
  {
    title: 'sends a non-JSON string marked application/json unquoted and untrimmed',
    body: '  not json: {oops} "quoted"  ',
    contentType: 'application/json',
  },
  {
    title: 'sends a JSON string marked application/json byte for byte, not re-serialized',
    body: ' { "amount" : 100.50 , "b": [1,2] }\n',
    contentType: 'application/json',
  },
  { title: 'sends non-ASCII text and emoji as their UTF-8 bytes', body: 'Grüße, 世界 — naïve café 🚀👩🏽‍💻' },
];
