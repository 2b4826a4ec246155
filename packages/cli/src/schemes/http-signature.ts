import { HTTP_SIGNATURE_ALGORITHMS, type HttpSignatureAlgorithm, type Signer, httpMessageSigner } from '@signet/core';
import { type Verifier, httpMessageVerifier } from '@signet/verify';
import { PASSPHRASE, PRIVATE_KEY, PUBLIC_KEY, SECRET, findCredential, requireCredential } from '../credentials.js';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import { type CommonVerify, keyText, originOf, withoutLifetime } from './common.js';
import { listOf } from './flags.js';

export interface HttpSignatureFlags {
  alg?: string;
  kid?: string;
  keyFile?: string;
  passphraseFile?: string;
  secretFile?: string;
  components?: string;
  label?: string;
  expiresIn?: number;
  nonce?: boolean;
}

/** RFC 9421: hmac-sha256 signs with --secret-file, the other algorithms with --key-file. */
export async function httpSignatureSchemeSigner(io: Io, options: HttpSignatureFlags): Promise<Signer> {
  const algorithm = httpAlgorithm(options.alg);
  if (options.kid === undefined) throw new CliError('ERR_USAGE', '--scheme http-signature needs --kid <id>, the keyid the verifier finds the key by');
  const hmac = algorithm === 'hmac-sha256';
  refuseWrongKind(hmac, options.keyFile !== undefined || options.passphraseFile !== undefined, options.secretFile !== undefined);
  const key = hmac ? await requireCredential(io, SECRET, options.secretFile, '--alg hmac-sha256') : keyText(await requireCredential(io, PRIVATE_KEY, options.keyFile, `--alg ${algorithm}`));
  const passphrase = hmac ? undefined : await findCredential(io, PASSPHRASE, options.passphraseFile);
  return httpMessageSigner({
    algorithm,
    key,
    keyId: options.kid,
    clock: io.now,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(options.components === undefined ? {} : { components: listOf(options.components) }),
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.expiresIn === undefined ? {} : { expiresInSeconds: options.expiresIn }),
    ...(options.nonce === true ? { nonce: true } : {}),
  });
}

export interface HttpSignatureVerifyFlags {
  alg?: string;
  kid?: string;
  publicKeyFile?: string;
  secretFile?: string;
  components?: string;
  label?: string;
  origin?: string;
  url?: string;
  maxAge?: number;
}

export async function httpSignatureSchemeVerifier(io: Io, options: HttpSignatureVerifyFlags, common: CommonVerify): Promise<Verifier> {
  const algorithm = httpAlgorithm(options.alg);
  const hmac = algorithm === 'hmac-sha256';
  refuseWrongKind(hmac, options.publicKeyFile !== undefined, options.secretFile !== undefined);
  const key = hmac ? await requireCredential(io, SECRET, options.secretFile, 'verifying --alg hmac-sha256') : await requireCredential(io, PUBLIC_KEY, options.publicKeyFile, `verifying --alg ${algorithm}`);
  const { kid } = options;
  const origin = options.origin ?? originOf(options.url);
  return httpMessageVerifier({
    ...withoutLifetime(common),
    keys: (keyId) => (kid === undefined || keyId === kid ? { algorithm, key } : undefined),
    ...(origin === undefined ? {} : { origin }),
    ...(options.components === undefined ? {} : { requiredComponents: listOf(options.components) }),
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.maxAge === undefined ? {} : { maxAgeSeconds: options.maxAge }),
  });
}

function httpAlgorithm(alg: string | undefined): HttpSignatureAlgorithm {
  if (alg === undefined || !(HTTP_SIGNATURE_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new CliError('ERR_USAGE', `--scheme http-signature needs --alg, one of ${HTTP_SIGNATURE_ALGORITHMS.join(', ')}`);
  }
  return alg as HttpSignatureAlgorithm;
}

function refuseWrongKind(hmac: boolean, gaveKey: boolean, gaveSecret: boolean): void {
  if (hmac && gaveKey) throw new CliError('ERR_USAGE', '--alg hmac-sha256 signs with a shared secret: give --secret-file, not a key file');
  if (!hmac && gaveSecret) throw new CliError('ERR_USAGE', 'this --alg signs with a key pair: give a key file, not --secret-file');
}
