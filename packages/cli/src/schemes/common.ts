import type { RejectHook } from '@signet/verify';
import { CliError } from '../errors.js';
import { outgoingUrl } from '../request-input.js';

/** What every verifier of the CLI gets, whatever the scheme. */
export interface CommonVerify {
  clock: () => number;
  onReject: RejectHook;
  clockToleranceSeconds: number;
  maxLifetimeSeconds?: number;
}

/** The origin (`https://host[:port]`) of an absolute `--url`; `undefined` for a path. */
export function originOf(url: string | undefined): string | undefined {
  if (url === undefined || url.startsWith('/')) return undefined;
  return new URL(outgoingUrl(url).absolute as string).origin;
}

/** The origin a scheme that binds the host needs, refusing a bare path with the flag to use. */
export function requireOrigin(url: string | undefined, scheme: string, alternative: string): string {
  const origin = originOf(url);
  if (origin === undefined) throw new CliError('ERR_USAGE', `--scheme ${scheme} binds the host: give an absolute --url (https://host/path)${alternative}`);
  return origin;
}

/** PEM or CDP's base64 secret as text (the signers parse strings), anything binary (DER) as bytes. */
export function keyText(bytes: Buffer): string | Buffer {
  return /^[\t\n\r\x20-\x7e]*$/.test(bytes.toString('latin1')) ? bytes.toString('utf8') : bytes;
}

/** The common settings of verifiers that bound age rather than lifetime (DPoP, RFC 9421): without maxLifetime. */
export function withoutLifetime(common: CommonVerify): Omit<CommonVerify, 'maxLifetimeSeconds'> {
  return { clock: common.clock, onReject: common.onReject, clockToleranceSeconds: common.clockToleranceSeconds };
}
