import { Buffer } from 'node:buffer';

// The bytes helpers of the Node build: Buffer's native codecs, the fastest there are in Node, Bun and Deno.
// bytes.web.ts has the same functions without Buffer, for runtimes that have none; the web build swaps it in.

const view = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** @internal The bytes a function of this module returns: a Buffer here, a plain Uint8Array in the web build. */
export type Bytes = Buffer;

/** @internal UTF-8 bytes of `text`. */
export const utf8 = (text: string): Bytes => Buffer.from(text, 'utf8');
/** @internal One byte per char code (the JWS signing input and the ASCII signature base are Latin-1 safe). */
export const latin1 = (text: string): Bytes => Buffer.from(text, 'latin1');
/** @internal The Latin-1 text of bytes (never fails; used to look for PEM labels in bytes). */
export const latin1Text = (bytes: Uint8Array): string => view(bytes).toString('latin1');
/** @internal base64url without padding (RFC 7515 §2). */
export const base64urlOf = (bytes: Uint8Array): string => view(bytes).toString('base64url');
/** @internal Standard base64 with padding. */
export const base64Of = (bytes: Uint8Array): string => view(bytes).toString('base64');
/** @internal Decodes base64 or base64url leniently, as Node does: characters outside the alphabet are skipped. */
export const fromBase64 = (text: string): Bytes => Buffer.from(text, 'base64');
/** @internal Lowercase hex. */
export const hexOf = (bytes: Uint8Array): string => view(bytes).toString('hex');
/** @internal The parts one after the other. */
export const concat = (parts: readonly Uint8Array[]): Bytes => Buffer.concat(parts);
