import { type Signer, fireblocksSigner } from '@signet/core';
import { type Verifier, fireblocksVerifier } from '@signet/verify';
import { PASSPHRASE, PRIVATE_KEY, PUBLIC_KEY, findCredential, identifier, requireCredential } from '../credentials.js';
import type { Io } from '../io.js';
import type { CommonVerify } from './common.js';

export interface FireblocksFlags {
  apiKey?: string;
  keyFile?: string;
  passphraseFile?: string;
  expiresIn?: number;
}

/** Fireblocks' per-request RS256 signer (nonce on every token, X-API-Key, bodyHash of "" without a body). */
export async function fireblocksSchemeSigner(io: Io, options: FireblocksFlags): Promise<Signer> {
  const apiKey = identifier(io, options.apiKey, '--api-key', 'SIGNET_API_KEY', 'the fireblocks scheme');
  const privateKey = await requireCredential(io, PRIVATE_KEY, options.keyFile, 'the fireblocks scheme');
  const passphrase = await findCredential(io, PASSPHRASE, options.passphraseFile);
  return fireblocksSigner({
    apiKey,
    privateKey,
    clock: io.now,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
  });
}

export async function fireblocksSchemeVerifier(io: Io, options: { publicKeyFile?: string }, common: CommonVerify): Promise<Verifier> {
  const publicKey = await requireCredential(io, PUBLIC_KEY, options.publicKeyFile, 'verifying the fireblocks scheme');
  return fireblocksVerifier({ ...common, publicKey });
}

/** With `--token`: the headers Fireblocks receives, the API key included. */
export function fireblocksHeaders(io: Io, options: { apiKey?: string }, token: string): Record<string, string> {
  const apiKey = identifier(io, options.apiKey, '--api-key', 'SIGNET_API_KEY', 'verifying the fireblocks scheme');
  return { authorization: `Bearer ${token}`, 'x-api-key': apiKey };
}
