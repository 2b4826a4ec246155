import type { Buffer } from 'node:buffer';
import type { JwsAlgorithm, SigningKey } from '@signet/core';
import { PASSPHRASE, PKCS11_PIN, PRIVATE_KEY, findCredential, requireCredential } from './credentials.js';
import { CliError } from './errors.js';
import type { Io } from './io.js';

/** The key options `token request`, `token jwt` and `sign` share: a key file, or a key held in a PKCS#11 token. */
export interface PrivateKeyOptions {
  keyFile?: string;
  passphraseFile?: string;
  pkcs11Library?: string;
  pkcs11Token?: string;
  pkcs11Key?: string;
  pkcs11PinFile?: string;
}

/** The option names (commander's attribute names) of the PKCS#11 key, for the per-scheme allow lists. */
export const PKCS11_OPTION_NAMES = ['pkcs11Library', 'pkcs11Token', 'pkcs11Key', 'pkcs11PinFile'] as const;

/** What a signer is built from: key material (with its passphrase) or a key that signs inside its token. */
export type LoadedPrivateKey = { key: Buffer; passphrase?: Buffer } | { key: SigningKey; passphrase?: undefined };

// The algorithms @signet/pkcs11 signs with. Written out rather than imported so that the native addon is loaded
// only when a PKCS#11 option is given: every other command runs without it.
const PKCS11_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'PS256', 'ES256'];

// Tokens opened by this run: `closeOpenedKeys` logs out and finalizes the library before the process exits.
const opened = new Set<{ close(): Promise<void> }>();

/** Whether any PKCS#11 option was given: the key then comes from the token, never from a key file. */
export function wantsPkcs11(options: PrivateKeyOptions): boolean {
  return PKCS11_OPTION_NAMES.some((name) => options[name] !== undefined);
}

/**
 * The private key to sign with for `algorithm`: from `--key-file` (or its environment variables) with its
 * passphrase, or, when a `--pkcs11-*` option is given, a key that stays in its PKCS#11 token. The PIN is read like
 * every other secret (`--pkcs11-pin-file`, `SIGNET_PKCS11_PIN_FILE`, `SIGNET_PKCS11_PIN`), never from a flag value.
 */
export async function loadPrivateKey(io: Io, options: PrivateKeyOptions, algorithm: JwsAlgorithm, purpose: string): Promise<LoadedPrivateKey> {
  if (!wantsPkcs11(options)) {
    const key = await requireCredential(io, PRIVATE_KEY, options.keyFile, purpose);
    const passphrase = await findCredential(io, PASSPHRASE, options.passphraseFile);
    return passphrase === undefined ? { key } : { key, passphrase };
  }
  if (options.keyFile !== undefined || options.passphraseFile !== undefined) {
    throw new CliError('ERR_USAGE', 'give either --key-file (with --passphrase-file) or the --pkcs11-* options, not both');
  }
  const { pkcs11Library: library, pkcs11Token: tokenLabel, pkcs11Key: keyLabel } = options;
  const missing = Object.entries({ '--pkcs11-library': library, '--pkcs11-token': tokenLabel, '--pkcs11-key': keyLabel })
    .filter(([, value]) => value === undefined)
    .map(([flag]) => flag);
  if (library === undefined || tokenLabel === undefined || keyLabel === undefined) {
    throw new CliError('ERR_USAGE', `a PKCS#11 key needs --pkcs11-library <path>, --pkcs11-token <label> and --pkcs11-key <label>; ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`);
  }
  if (!PKCS11_ALGORITHMS.includes(algorithm)) {
    throw new CliError('ERR_USAGE', `a PKCS#11 key signs with ${PKCS11_ALGORITHMS.join(', ')}, not ${algorithm}; choose one of those, or give --key-file`);
  }
  const pin = await requireCredential(io, PKCS11_PIN, options.pkcs11PinFile, 'a PKCS#11 key');
  const { pkcs11Key } = await import('@signet/pkcs11');
  const key = pkcs11Key({
    library,
    tokenLabel,
    keyLabel,
    pin: pin.toString('utf8'),
    algorithm: algorithm as 'RS256' | 'PS256' | 'ES256',
    // One signature per run: one session is all it needs.
    sessions: 1,
  });
  opened.add(key);
  return { key };
}

/** Closes the PKCS#11 keys this run opened (their sessions, then the library). */
export async function closeOpenedKeys(): Promise<void> {
  const keys = [...opened];
  opened.clear();
  await Promise.allSettled(keys.map((key) => key.close()));
}
