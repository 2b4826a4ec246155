import { type Signer, trueLayerSigner } from '@signet/core';
import { type Verifier, trueLayerVerifier } from '@signet/verify';
import { PRIVATE_KEY, PUBLIC_KEY, requireCredential } from '../credentials.js';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { type CommonVerify, keyText, withoutLifetime } from './common.js';
import { listOf } from './flags.js';

export interface TrueLayerFlags {
  kid?: string;
  keyFile?: string;
  tlHeaders?: string;
}

/** TrueLayer's Tl-Signature (ES512): the covered headers' values come from -H, Idempotency-Key by default. */
export async function trueLayerSchemeSigner(io: Io, options: TrueLayerFlags): Promise<Signer> {
  if (options.kid === undefined) throw new CliError('ERR_USAGE', '--scheme truelayer needs --kid <id>, the key id TrueLayer Console shows for your public key');
  const privateKey = keyText(await requireCredential(io, PRIVATE_KEY, options.keyFile, 'the truelayer scheme'));
  return trueLayerSigner({ keyId: options.kid, privateKey, ...(options.tlHeaders === undefined ? {} : { headers: listOf(options.tlHeaders) }) });
}

export async function trueLayerSchemeVerifier(io: Io, options: TrueLayerFlags & { publicKeyFile?: string }, common: CommonVerify): Promise<Verifier> {
  const publicKey = await requireCredential(io, PUBLIC_KEY, options.publicKeyFile, 'verifying the truelayer scheme');
  const { kid } = options;
  return trueLayerVerifier({
    ...withoutLifetime(common),
    ...(kid === undefined ? { publicKey } : { keyForKeyId: (keyId: string) => (keyId === kid ? publicKey : undefined) }),
    ...(options.tlHeaders === undefined ? {} : { requiredHeaders: listOf(options.tlHeaders) }),
  });
}
