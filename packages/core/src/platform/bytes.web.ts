import type * as Node from './bytes.js';

// The bytes helpers of the web build (Workers without nodejs_compat, browsers): no Buffer, only Uint8Array,
// TextEncoder and lookup tables. Same names and results as bytes.ts, which the Node build keeps for its speed.

export type Bytes = Uint8Array;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Both alphabets decode, as Buffer.from(text, 'base64') does; anything else is skipped.
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  DECODE[ALPHABET.charCodeAt(i)] = i;
  DECODE[URL_ALPHABET.charCodeAt(i)] = i;
}
const encoder = new TextEncoder();

export const utf8 = (text: string): Bytes => encoder.encode(text);

export function latin1(text: string): Bytes {
  // Signing inputs are ASCII (base64url and dots): the runtime's own encoder gives the same bytes, much faster.
  const ascii = encoder.encode(text);
  if (ascii.length === text.length) return ascii;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function latin1Text(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return text;
}

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/** `Uint8Array.prototype.toBase64` (TC39, in workerd, Bun, Deno and recent browsers), where the runtime has it. */
type NativeBase64 = (this: Uint8Array, options: { alphabet: 'base64' | 'base64url'; omitPadding: boolean }) => string;
const toBase64 = (Uint8Array.prototype as { toBase64?: NativeBase64 }).toBase64;

export const base64urlOf = (bytes: Uint8Array): string => (toBase64 ? toBase64.call(bytes, { alphabet: 'base64url', omitPadding: true }) : encode(bytes, URL_ALPHABET, false));
export const base64Of = (bytes: Uint8Array): string => (toBase64 ? toBase64.call(bytes, { alphabet: 'base64', omitPadding: false }) : encode(bytes, ALPHABET, true));

export function fromBase64(text: string): Bytes {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let bits = 0;
  let value = 0;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Node stops at the first padding character.
    if (code === 61) break;
    const digit = code < 128 ? (DECODE[code] as number) : -1;
    if (digit < 0) continue;
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, length);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hexOf(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte]!;
  return out;
}

export function concat(parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// Both builds must offer the same functions: a name missing here fails the typecheck.
export const _sameAsNode = { utf8, latin1, latin1Text, base64urlOf, base64Of, fromBase64, hexOf, concat } satisfies Record<Exclude<keyof typeof Node, 'Bytes'>, unknown>;
