import { SignetError } from '@signet/core';
import { readOptions } from '@signet/internal';
import type { Verifier } from './types.js';

/** The bounds every transport (Express, node:http, fetch, Hono, Fastify) puts on a request before verifying it. */
export interface RequestLimits {
  /** The largest body accepted, in bytes; a larger one is answered 413 before it is read (or once it passes the limit). @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** The largest value of each header the scheme reads (e.g. Authorization); larger: 431, before any cryptography. @default 8192 */
  maxHeaderBytes?: number;
}

/** @internal The bounds as read, with their defaults. */
export interface Limits {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  parseBody: boolean;
}

/**
 * Checks the verifier and reads the limits of one entry point; `names` are the options that entry point accepts
 * (`parseBody` only where Signet parses the body for the app).
 * @internal
 */
export function limitsOf(verifier: Verifier, options: unknown, fn: string, names: readonly string[] = ['maxBodyBytes', 'maxHeaderBytes']): Limits {
  if (typeof verifier?.authenticate !== 'function' || !Array.isArray(verifier.headers)) {
    throw new SignetError('ERR_INVALID_OPTION', `${fn} needs a Verifier (requestVerifier(), portOneVerifier(), twoCheckoutVerifier()) as its first argument.`);
  }
  const own = readOptions<RequestLimits & { parseBody?: boolean }>(options, `${fn} options`, names as Array<'maxBodyBytes'>);
  const { maxBodyBytes = 1024 * 1024, maxHeaderBytes = 8192, parseBody = true } = own;
  for (const [name, value] of [
    ['maxBodyBytes', maxBodyBytes],
    ['maxHeaderBytes', maxHeaderBytes],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new SignetError('ERR_INVALID_OPTION', `${name} must be a whole number of bytes.`);
  }
  if (typeof parseBody !== 'boolean') throw new SignetError('ERR_INVALID_OPTION', 'parseBody must be true or false.');
  return { maxBodyBytes, maxHeaderBytes, parseBody };
}
