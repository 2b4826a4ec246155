import { type Signer, coinbaseSigner } from '@signet/core';
import { type Verifier, coinbaseVerifier } from '@signet/verify';
import { PRIVATE_KEY, PUBLIC_KEY, identifier, requireCredential } from '../credentials.js';
import type { Io } from '../io.js';
import { type CommonVerify, keyText, originOf } from './common.js';

export interface CoinbaseFlags {
  keyName?: string;
  keyFile?: string;
  host?: string;
  uriClaim?: 'uri' | 'uris';
  expiresIn?: number;
}

/**
 * A CDP signer (ES256 or EdDSA, from the key). The host bound in `uri` is `--host`, else the absolute `--url`'s,
 * which the sign call passes as the origin.
 */
export async function coinbaseSchemeSigner(io: Io, options: CoinbaseFlags): Promise<Signer> {
  const keyName = identifier(io, options.keyName, '--key-name', 'SIGNET_KEY_NAME', 'the coinbase scheme');
  const privateKey = keyText(await requireCredential(io, PRIVATE_KEY, options.keyFile, 'the coinbase scheme'));
  return coinbaseSigner({
    keyName,
    privateKey,
    clock: io.now,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.uriClaim === undefined ? {} : { uriClaim: options.uriClaim }),
    ...(options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
  });
}

/** The origin a coinbase request is signed for: none when `--host` names the host (it then wins). */
export function coinbaseOrigin(options: { host?: string; url?: string }): string | undefined {
  return options.host === undefined ? originOf(options.url) : undefined;
}

export async function coinbaseSchemeVerifier(io: Io, options: { publicKeyFile?: string; host?: string; url?: string }, common: CommonVerify): Promise<Verifier> {
  const publicKey = await requireCredential(io, PUBLIC_KEY, options.publicKeyFile, 'verifying the coinbase scheme');
  // --host, else an absolute --url's host, else the captured request's Host header.
  const host = options.host ?? (originOf(options.url) === undefined ? undefined : new URL(options.url as string).host);
  return coinbaseVerifier({ ...common, publicKey, ...(host === undefined ? {} : { host }) });
}
